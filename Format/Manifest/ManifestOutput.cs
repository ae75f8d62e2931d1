namespace FewShot.Bundles;

/// <summary>What predict computes. Immutable.</summary>
public sealed record ManifestOutput
{
    /// <summary>Logits, embedding, reconstruction or regression.</summary>
    public required OutputKind Kind { get; init; }

    /// <summary>
    /// Values per example: head outputs (logits), embedding width (embedding), flattened input size (reconstruction) or
    /// targets (regression).
    /// </summary>
    public required int Size { get; init; }
}
