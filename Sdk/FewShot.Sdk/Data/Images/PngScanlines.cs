namespace FewShot.Sdk.Data;

/// <summary>Undoes PNG's per-row filters and unpacks rows of 1- to 16-bit samples.</summary>
internal static class PngScanlines
{
    /// <summary>
    /// Reverses the filter of each row in place. <paramref name="raw"/> holds <paramref name="height"/> rows of
    /// one filter-type byte followed by <paramref name="stride"/> bytes; <paramref name="bytesPerPixel"/> is the
    /// distance to the "left" byte (at least 1, as the specification rounds it).
    /// </summary>
    public static void Unfilter(Span<byte> raw, int height, int stride, int bytesPerPixel)
    {
        var zeros = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            byte filter = raw[rowStart];
            var row = raw.Slice(rowStart + 1, stride);
            ReadOnlySpan<byte> up = y == 0 ? zeros : raw.Slice(rowStart - stride, stride);
            switch (filter)
            {
                case 0:
                    break;
                case 1:
                    for (int i = bytesPerPixel; i < stride; i++)
                    {
                        row[i] += row[i - bytesPerPixel];
                    }

                    break;
                case 2:
                    for (int i = 0; i < stride; i++)
                    {
                        row[i] += up[i];
                    }

                    break;
                case 3:
                    for (int i = 0; i < stride; i++)
                    {
                        int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                        row[i] += (byte)((left + up[i]) >> 1);
                    }

                    break;
                case 4:
                    for (int i = 0; i < stride; i++)
                    {
                        int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                        int upLeft = i >= bytesPerPixel ? up[i - bytesPerPixel] : 0;
                        row[i] += Paeth(left, up[i], upLeft);
                    }

                    break;
                default:
                    throw new InvalidDataException($"PNG row {y} uses filter type {filter}; expected 0 to 4");
            }
        }
    }

    /// <summary>Reads sample <paramref name="index"/> of an unfiltered row of <paramref name="bitDepth"/>-bit samples.</summary>
    public static ushort Sample(ReadOnlySpan<byte> row, int index, int bitDepth)
    {
        switch (bitDepth)
        {
            case 8:
                return row[index];
            case 16:
                return (ushort)((row[2 * index] << 8) | row[(2 * index) + 1]);
            default:
                // Sub-byte samples are packed from the most significant bit down.
                int bit = index * bitDepth;
                int shift = 8 - bitDepth - (bit & 7);
                return (ushort)((row[bit >> 3] >> shift) & ((1 << bitDepth) - 1));
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
}
