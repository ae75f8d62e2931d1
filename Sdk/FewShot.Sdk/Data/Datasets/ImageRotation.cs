namespace FewShot.Sdk.Data;

/// <summary>Exact rotations of <c>[channels, height, width]</c> images by multiples of 90°.</summary>
internal static class ImageRotation
{
    /// <summary>
    /// Rotates each channel counter-clockwise by <paramref name="degrees"/> (0, 90, 180 or 270), as
    /// <c>numpy.rot90(image, k=degrees/90, axes=(1, 2))</c> does. Quarter turns swap height and width.
    /// </summary>
    public static void Rotate(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, int degrees)
    {
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            var from = source.Slice(c * plane, plane);
            var to = destination.Slice(c * plane, plane);
            switch (degrees)
            {
                case 0:
                    from.CopyTo(to);
                    break;
                case 90:
                    // Output is width × height: out[i, j] = in[j, width − 1 − i].
                    for (int i = 0; i < width; i++)
                    {
                        for (int j = 0; j < height; j++)
                        {
                            to[(i * height) + j] = from[(j * width) + (width - 1 - i)];
                        }
                    }

                    break;
                case 180:
                    for (int p = 0; p < plane; p++)
                    {
                        to[p] = from[plane - 1 - p];
                    }

                    break;
                case 270:
                    // Output is width × height: out[i, j] = in[height − 1 − j, i].
                    for (int i = 0; i < width; i++)
                    {
                        for (int j = 0; j < height; j++)
                        {
                            to[(i * height) + j] = from[((height - 1 - j) * width) + i];
                        }
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "rotation must be 0, 90, 180 or 270 degrees");
            }
        }
    }
}
