namespace FewShot.Runtime;

/// <summary>The declared name, element type and shape of a model input or output. Immutable and thread-safe.</summary>
public sealed class TensorMetadata
{
    internal TensorMetadata(string name, bool isTensor, TensorElementType elementType, long[] dimensions, string?[] dimensionNames)
    {
        Name = name;
        IsTensor = isTensor;
        ElementType = elementType;
        Dimensions = Array.AsReadOnly(dimensions);
        DimensionNames = Array.AsReadOnly(dimensionNames);
    }

    /// <summary>The input's or output's name in the graph.</summary>
    public string Name { get; }

    /// <summary>True for a tensor; false for a sequence, map or other non-tensor value, which <see cref="OrtTensor"/> cannot hold.</summary>
    public bool IsTensor { get; }

    /// <summary>The element type; <see cref="TensorElementType.Undefined"/> when <see cref="IsTensor"/> is false.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions, -1 where a dimension is not fixed (symbolic or unspecified); empty for a scalar.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>Per dimension, its symbolic name (ONNX <c>dim_param</c>, e.g. "batch"), or null where it has none.</summary>
    public IReadOnlyList<string?> DimensionNames { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Dimensions.Count;

    /// <summary>For example "x: Float[batch, 3]".</summary>
    public override string ToString()
    {
        if (!IsTensor)
        {
            return $"{Name}: (not a tensor)";
        }

        IEnumerable<string> dims = Dimensions.Select((d, i) => DimensionNames[i] ?? (d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return $"{Name}: {ElementType}[{string.Join(", ", dims)}]";
    }
}
