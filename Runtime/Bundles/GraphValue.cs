using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Bundles;

/// <summary>A graph input or output as ONNX Runtime declares it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Metadata">ONNX Runtime's description: element type and dimensions (-1 where symbolic).</param>
internal sealed record GraphValue(string Name, NodeMetadata Metadata)
{
    /// <summary>The declared dimensions, -1 where symbolic.</summary>
    public int[] Dimensions => Metadata.Dimensions;

    /// <summary>"[n, 1, 28, 28]": symbolic dimensions by name.</summary>
    public string Shape =>
        "[" + string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture)
            : Metadata.SymbolicDimensions.Length > i && Metadata.SymbolicDimensions[i].Length > 0 ? Metadata.SymbolicDimensions[i] : "?")) + "]";
}
