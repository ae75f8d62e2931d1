using System.Buffers;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Resizes single-channel images by exact area averaging: each output pixel is the mean of the input over the
/// rectangle it covers, input pixels that it covers only partly weighted by the covered fraction (what OpenCV
/// calls INTER_AREA and PIL a box filter). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The one implementation of the format's <c>"resize": "area"</c>: <see cref="Preprocessor"/> runs it on device, and the
/// Sdk's image loaders (Omniglot, image folders) run it in training, so the two agree to the bit.
/// <para>
/// Overlaps are computed in integers (an input pixel is <c>outputSize</c> units wide, an output pixel
/// <c>inputSize</c> units), so the weights are exact and the only rounding is the final division. For 0/1
/// input, such as binarized Omniglot strokes at 105 → 28, every intermediate sum is an integer below 2^24
/// and the result is the exact area average correctly rounded to float32.
/// </para>
/// <para>
/// This differs from PyTorch's <c>interpolate(mode='area')</c>, which is adaptive average pooling over whole
/// pixels and does not weight partly covered pixels when the ratio is not an integer.
/// </para>
/// </remarks>
public sealed class AreaResizer
{
    private readonly Taps rows;
    private readonly Taps columns;

    /// <summary>Prepares a resize from <paramref name="inputHeight"/>×<paramref name="inputWidth"/> to <paramref name="outputHeight"/>×<paramref name="outputWidth"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public AreaResizer(int inputHeight, int inputWidth, int outputHeight, int outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        rows = new Taps(inputHeight, outputHeight);
        columns = new Taps(inputWidth, outputWidth);
    }

    /// <summary>The input height in pixels.</summary>
    public int InputHeight { get; }

    /// <summary>The input width in pixels.</summary>
    public int InputWidth { get; }

    /// <summary>The output height in pixels.</summary>
    public int OutputHeight { get; }

    /// <summary>The output width in pixels.</summary>
    public int OutputWidth { get; }

    /// <summary>
    /// Resizes one row-major plane of <see cref="InputHeight"/>×<see cref="InputWidth"/> values into
    /// <paramref name="output"/> (<see cref="OutputHeight"/>×<see cref="OutputWidth"/> values).
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Resize(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != InputHeight * InputWidth)
        {
            throw new ArgumentException($"input has {Counted.Of(input.Length, "value", "values")}, expected {InputHeight}×{InputWidth} = {InputHeight * InputWidth}", nameof(input));
        }

        if (output.Length != OutputHeight * OutputWidth)
        {
            throw new ArgumentException($"output has {Counted.Of(output.Length, "value", "values")}, expected {OutputHeight}×{OutputWidth} = {OutputHeight * OutputWidth}", nameof(output));
        }

        float[] rented = ArrayPool<float>.Shared.Rent(InputHeight * OutputWidth);
        try
        {
            // Columns first: each input row becomes OutputWidth weighted sums.
            Span<float> partial = rented.AsSpan(0, InputHeight * OutputWidth);
            for (int y = 0; y < InputHeight; y++)
            {
                columns.Apply(input.Slice(y * InputWidth, InputWidth), partial.Slice(y * OutputWidth, OutputWidth));
            }

            float divisor = (float)((double)InputHeight * InputWidth);
            for (int o = 0; o < OutputHeight; o++)
            {
                var line = output.Slice(o * OutputWidth, OutputWidth);
                line.Clear();
                for (int t = rows.Start[o]; t < rows.Start[o + 1]; t++)
                {
                    float weight = rows.Weight[t];
                    var source = partial.Slice(rows.Index[t] * OutputWidth, OutputWidth);
                    for (int x = 0; x < line.Length; x++)
                    {
                        line[x] += weight * source[x];
                    }
                }

                for (int x = 0; x < line.Length; x++)
                {
                    line[x] /= divisor;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>For each output index along one axis, the input indices it overlaps and the integer overlaps.</summary>
    private sealed class Taps
    {
        public Taps(int inputSize, int outputSize)
        {
            var start = new List<int> { 0 };
            var index = new List<int>();
            var weight = new List<float>();
            for (int o = 0; o < outputSize; o++)
            {
                // In units where an input pixel is outputSize wide, output o spans [o·in, (o+1)·in).
                long from = (long)o * inputSize;
                long to = from + inputSize;
                for (long i = from / outputSize; i * outputSize < to; i++)
                {
                    long overlap = Math.Min(to, (i + 1) * outputSize) - Math.Max(from, i * outputSize);
                    if (overlap > 0)
                    {
                        index.Add((int)i);
                        weight.Add(overlap);
                    }
                }

                start.Add(index.Count);
            }

            Start = [.. start];
            Index = [.. index];
            Weight = [.. weight];
        }

        public int[] Start { get; }

        public int[] Index { get; }

        public float[] Weight { get; }

        public void Apply(ReadOnlySpan<float> input, Span<float> output)
        {
            for (int o = 0; o < output.Length; o++)
            {
                float sum = 0;
                for (int t = Start[o]; t < Start[o + 1]; t++)
                {
                    sum += Weight[t] * input[Index[t]];
                }

                output[o] = sum;
            }
        }
    }
}
