namespace FewShot.Sdk.Data;

/// <summary>
/// One sinusoid regression task, y = A · sin(x − φ), with K support and Q query points. The task owns its arrays.
/// </summary>
public sealed class SinusoidTask
{
    internal SinusoidTask(double amplitude, double phase, float[] supportX, float[] supportY, float[] queryX, float[] queryY)
    {
        Amplitude = amplitude;
        Phase = phase;
        SupportX = supportX;
        SupportY = supportY;
        QueryX = queryX;
        QueryY = queryY;
    }

    /// <summary>The amplitude A.</summary>
    public double Amplitude { get; }

    /// <summary>The phase φ in radians.</summary>
    public double Phase { get; }

    /// <summary>Support inputs, float32 <c>[K, 1]</c>.</summary>
    public float[] SupportX { get; }

    /// <summary>Support targets, float32 <c>[K, 1]</c>.</summary>
    public float[] SupportY { get; }

    /// <summary>Query inputs, float32 <c>[Q, 1]</c>.</summary>
    public float[] QueryX { get; }

    /// <summary>Query targets, float32 <c>[Q, 1]</c>.</summary>
    public float[] QueryY { get; }

    /// <summary>The task's true function at <paramref name="x"/>, for plotting or dense evaluation.</summary>
    public double Evaluate(double x) => Amplitude * Math.Sin(x - Phase);
}
