using FewShot.Exporters.Onnx;
using AttributeType = FewShot.Exporters.Onnx.AttributeProto.Types.AttributeType;

namespace FewShot.Exporters.Autodiff;

/// <summary>Typed reads of node attributes and optional inputs, with the ONNX defaults supplied by the caller.</summary>
internal static class NodeAttributes
{
    /// <summary>An INT attribute, or <paramref name="fallback"/> when the node does not set it.</summary>
    public static long Int(this NodeProto node, string name, long fallback) =>
        Find(node, name, AttributeType.Int)?.I ?? fallback;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/> when the node does not set it.</summary>
    public static float Float(this NodeProto node, string name, float fallback) =>
        Find(node, name, AttributeType.Float)?.F ?? fallback;

    /// <summary>A STRING attribute, or <paramref name="fallback"/> when the node does not set it.</summary>
    public static string String(this NodeProto node, string name, string fallback) =>
        Find(node, name, AttributeType.String)?.S.ToStringUtf8() ?? fallback;

    /// <summary>An INTS attribute, or null when the node does not set it.</summary>
    public static long[]? Ints(this NodeProto node, string name) =>
        Find(node, name, AttributeType.Ints)?.Ints.ToArray();

    /// <summary>A TENSOR attribute, or null when the node does not set it.</summary>
    public static TensorProto? Tensor(this NodeProto node, string name) =>
        Find(node, name, AttributeType.Tensor)?.T;

    /// <summary>The name of input <paramref name="index"/>, or null when it is absent or omitted (empty name).</summary>
    public static string? OptionalInput(this NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length != 0 ? node.Input[index] : null;

    /// <summary>How error messages name a node: its name, or the value it computes when it has none.</summary>
    public static string Label(this NodeProto node) =>
        node.Name.Length != 0 ? node.Name : node.Output.Count > 0 ? $"computing '{node.Output[0]}'" : "(unnamed)";

    /// <summary>Copies every attribute of the node except those named, for rules that re-emit the op with changes.</summary>
    public static AttributeProto[] AttributesExcept(this NodeProto node, params string[] names) =>
        node.Attribute.Where(a => !names.Contains(a.Name)).Select(a => a.Clone()).ToArray();

    private static AttributeProto? Find(NodeProto node, string name, AttributeType type)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.Name == name)
            {
                return attribute.Type == type
                    ? attribute
                    : throw new InvalidOperationException($"attribute '{name}' of {node.OpType} node {node.Label()} has type {attribute.Type}, expected {type}");
            }
        }

        return null;
    }
}
