namespace FewShot.Bundles;

/// <summary>The element types the bundle format uses in graph inputs and outputs.</summary>
public enum GraphElementType
{
    /// <summary>Anything else (or not a tensor): never what the format expects.</summary>
    Other,

    /// <summary>float32.</summary>
    Float,

    /// <summary>int64 (class indices).</summary>
    Int64,
}

/// <summary>
/// A graph input or output as a graph declares it, or as the format expects it: name, element type and dimensions, a
/// null dimension being symbolic ("n") in a declaration and "any size" in an expectation. Immutable.
/// </summary>
/// <param name="Name">The value's name.</param>
/// <param name="Type">Its element type.</param>
/// <param name="Dimensions">Its dimensions; null for "no shape declared" (declarations) or "any shape" (expectations).</param>
/// <param name="What">What the value is, for messages (expectations only; empty in declarations).</param>
public sealed record TensorSignature(string Name, GraphElementType Type, long?[]? Dimensions, string What = "")
{
    /// <summary>Whether a declared value fits this expectation: same type, same rank, equal sizes wherever both are fixed.</summary>
    public bool Admits(TensorSignature declared) =>
        declared.Type == Type
        && (Dimensions is null || (declared.Dimensions is { } dims && dims.Length == Dimensions.Length
            && dims.Zip(Dimensions).All(p => p.First is null || p.Second is null || p.First == p.Second)));

    /// <summary>The dimensions as "[n, 1, 28, 28]".</summary>
    public string ShapeText => Dimensions is null ? "(no shape)" : $"[{string.Join(", ", Dimensions.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n"))}]";
}
