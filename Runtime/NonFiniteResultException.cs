namespace FewShot.Runtime;

/// <summary>
/// A graph produced NaN or infinity: adaptation diverged at a named step, or a prediction overflowed. Never returned as
/// a result. Derives from <see cref="InvalidOperationException"/>, as the operation cannot succeed on this input.
/// </summary>
public sealed class NonFiniteResultException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">Where it happened: "adapt step 3", "computing the prototypes", "prediction".</param>
    /// <param name="message">What happened and the likely cause.</param>
    public NonFiniteResultException(string stage, string message)
        : base(message)
    {
        Stage = stage;
    }

    /// <summary>Where it happened, e.g. "adapt step 3" or "prediction".</summary>
    public string Stage { get; }
}
