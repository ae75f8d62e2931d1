namespace FewShot.Exporters.Bundles;

/// <summary>How raw data becomes the model's input; the runtime does not apply it, the caller must.</summary>
public sealed record BundleNormalization
{
    /// <summary>A description a person can follow, e.g. "28×28, strokes 1.0, paper 0.0".</summary>
    public required string Text { get; init; }

    /// <summary>Per-channel means subtracted after scaling, or null when none are.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviations divided by after subtracting <see cref="Mean"/>, or null.</summary>
    public IReadOnlyList<float>? Std { get; init; }
}
