namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>
/// Resizes a single-channel image by exact area averaging: each output pixel is the mean of the input over the
/// rectangle it covers, input pixels it covers only partly weighted by the covered fraction (OpenCV's INTER_AREA,
/// PIL's box filter). The same preprocessing that made the Omniglot training data. Stateless and thread-safe.
/// </summary>
public static class AreaResize
{
    /// <summary>Resizes a row-major <paramref name="inputHeight"/>×<paramref name="inputWidth"/> plane.</summary>
    /// <returns>A fresh row-major <paramref name="outputHeight"/>×<paramref name="outputWidth"/> plane, owned by the caller.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold inputHeight × inputWidth values.</exception>
    public static float[] Resize(ReadOnlySpan<float> input, int inputHeight, int inputWidth, int outputHeight, int outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        if (input.Length != (long)inputHeight * inputWidth)
        {
            throw new ArgumentException($"The input has {input.Length} values, but a {inputHeight}×{inputWidth} image has {(long)inputHeight * inputWidth}.", nameof(input));
        }

        (int Index, long Weight)[][] rows = Taps(inputHeight, outputHeight);
        (int Index, long Weight)[][] columns = Taps(inputWidth, outputWidth);
        // Weights are overlaps in units where an input pixel is outputSize wide, so each output's weights sum to inputSize.
        double divisor = (double)inputHeight * inputWidth;
        var output = new float[outputHeight * outputWidth];
        for (int oy = 0; oy < outputHeight; oy++)
        {
            for (int ox = 0; ox < outputWidth; ox++)
            {
                double sum = 0;
                foreach ((int y, long wy) in rows[oy])
                {
                    foreach ((int x, long wx) in columns[ox])
                    {
                        sum += (double)wy * wx * input[(y * inputWidth) + x];
                    }
                }

                output[(oy * outputWidth) + ox] = (float)(sum / divisor);
            }
        }

        return output;
    }

    /// <summary>For each output index along one axis, the input indices it overlaps and by how much.</summary>
    private static (int Index, long Weight)[][] Taps(int inputSize, int outputSize)
    {
        var taps = new (int, long)[outputSize][];
        for (int o = 0; o < outputSize; o++)
        {
            // Output o spans [o·in, (o+1)·in); input i spans [i·out, (i+1)·out).
            long from = (long)o * inputSize;
            long to = from + inputSize;
            var list = new List<(int, long)>();
            for (long i = from / outputSize; i * outputSize < to; i++)
            {
                long overlap = Math.Min(to, (i + 1) * outputSize) - Math.Max(from, i * outputSize);
                if (overlap > 0)
                {
                    list.Add(((int)i, overlap));
                }
            }

            taps[o] = [.. list];
        }

        return taps;
    }
}
