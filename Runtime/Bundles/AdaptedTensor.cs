namespace FewShot.Runtime.Bundles;

/// <summary>
/// One tensor of an adapted model's state: an adapted parameter (θ′, e.g. "head.weight") or, for prototype bundles,
/// "prototypes" [classes, embedding] (or [support examples, embedding], then with "prototype_labels" [support examples]).
/// Immutable and thread-safe.
/// </summary>
public sealed class AdaptedTensor
{
    internal AdaptedTensor(string name, long[] shape, float[] data)
    {
        Name = name;
        Dimensions = shape;
        Data = data;
        Shape = Array.AsReadOnly(shape);
    }

    /// <summary>The graph input it feeds: the parameter's name, "prototypes" or "prototype_labels".</summary>
    public string Name { get; }

    /// <summary>Its dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Its values, row-major.</summary>
    public ReadOnlyMemory<float> Values => Data;

    /// <summary>The values; never written after construction (runs only read them).</summary>
    internal float[] Data { get; }

    /// <summary>The dimensions as an array, for tensor creation.</summary>
    internal long[] Dimensions { get; }
}
