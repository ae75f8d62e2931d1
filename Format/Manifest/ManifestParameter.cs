namespace FewShot.Bundles;

/// <summary>One tensor of θ: its name (a graph input of every graph that reads it) and its shape. Immutable.</summary>
public sealed record ManifestParameter
{
    /// <summary>The parameter's name, e.g. "conv1.weight".</summary>
    public required string Name { get; init; }

    /// <summary>Its dimensions.</summary>
    public required IReadOnlyList<long> Shape { get; init; }
}
