namespace FewShot.Sdk.Data;

/// <summary>
/// Generates sinusoid regression tasks, the MAML paper's first benchmark; needs no files. Immutable and
/// thread-safe; randomness comes only from the <see cref="Random"/> passed in.
/// </summary>
/// <remarks>
/// Each task draws, in this order, its amplitude, its phase, then the K support inputs and the Q query inputs,
/// so the same seed gives the same tasks.
/// </remarks>
public sealed class SinusoidTaskGenerator
{
    private readonly SinusoidOptions options;

    /// <summary>Creates a generator for the distribution <paramref name="options"/> (the paper's by default).</summary>
    /// <exception cref="ArgumentException">A range is empty, reversed, or not finite.</exception>
    public SinusoidTaskGenerator(SinusoidOptions? options = null)
    {
        this.options = options ?? new SinusoidOptions();
        CheckRange(this.options.AmplitudeMin, this.options.AmplitudeMax, "amplitude");
        CheckRange(this.options.PhaseMin, this.options.PhaseMax, "phase");
        CheckRange(this.options.InputMin, this.options.InputMax, "input");
    }

    /// <summary>Draws one task with <paramref name="supportCount"/> support and <paramref name="queryCount"/> query points.</summary>
    public SinusoidTask Sample(Random random, int supportCount, int queryCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(supportCount);
        ArgumentOutOfRangeException.ThrowIfNegative(queryCount);
        double amplitude = Uniform(random, options.AmplitudeMin, options.AmplitudeMax);
        double phase = Uniform(random, options.PhaseMin, options.PhaseMax);
        var (supportX, supportY) = Points(random, supportCount, amplitude, phase);
        var (queryX, queryY) = Points(random, queryCount, amplitude, phase);
        return new SinusoidTask(amplitude, phase, supportX, supportY, queryX, queryY);
    }

    /// <summary>Draws <paramref name="batchSize"/> tasks one after another from <paramref name="random"/>.</summary>
    public IReadOnlyList<SinusoidTask> SampleBatch(Random random, int batchSize, int supportCount, int queryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var tasks = new SinusoidTask[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            tasks[i] = Sample(random, supportCount, queryCount);
        }

        return tasks;
    }

    private (float[] X, float[] Y) Points(Random random, int count, double amplitude, double phase)
    {
        var x = new float[count];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)Uniform(random, options.InputMin, options.InputMax);

            // The target is computed from the stored float32 x, so that (x, y) lie exactly on the curve the model sees.
            y[i] = (float)(amplitude * Math.Sin(x[i] - phase));
        }

        return (x, y);
    }

    private static double Uniform(Random random, double min, double max) => min + ((max - min) * random.NextDouble());

    private static void CheckRange(double min, double max, string what)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"the {what} range [{min}, {max}] is invalid; expected finite bounds with min <= max", "options");
        }
    }
}
