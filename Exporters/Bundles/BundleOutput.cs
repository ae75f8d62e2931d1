namespace FewShot.Exporters.Bundles;

/// <summary>What predict computes.</summary>
public sealed record BundleOutput
{
    /// <summary>Logits, embedding, reconstruction or regression.</summary>
    public required BundleOutputKind Kind { get; init; }

    /// <summary>
    /// Values per example: head outputs (logits), embedding width D (embedding), flattened input size (reconstruction),
    /// or targets (regression).
    /// </summary>
    public required int Size { get; init; }
}
