namespace FewShot.Bundles;

/// <summary>How raw data becomes the model's input. The runtime does not apply it: callers pass normalized inputs. Immutable.</summary>
public sealed record ManifestNormalization
{
    /// <summary>A description a person can follow, e.g. "28×28, strokes 1.0, paper 0.0".</summary>
    public required string Text { get; init; }

    /// <summary>Per-channel means subtracted, or null when none are.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviations divided by, or null when none are.</summary>
    public IReadOnlyList<float>? Std { get; init; }
}
