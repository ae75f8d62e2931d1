using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Graphs;

/// <summary>Element-type inference for node outputs: enough for the operators FewShot writes.</summary>
internal static class ValueTypeInference
{
    private static readonly HashSet<string> BoolResults = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> Int64Results = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "NonZero", "ArgMax", "ArgMin",
    };

    /// <summary>Infers the element type of output <paramref name="outputIndex"/> of <paramref name="node"/>.</summary>
    public static bool TryInfer(NodeProto node, int outputIndex, IReadOnlyDictionary<string, DataType> known, out DataType type)
    {
        switch (node.OpType)
        {
            case "Constant":
                type = (DataType)node.Attribute.Single(a => a.Name == "value").T.DataType;
                return true;
            case "ConstantOfShape":
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                type = value is null ? DataType.Float : (DataType)value.T.DataType;
                return true;
            case "Cast":
                type = (DataType)node.Attribute.Single(a => a.Name == "to").I;
                return true;
            case "MaxPool" when outputIndex == 1:
                type = DataType.Int64;
                return true;
            case "Where":
                return TryInput(node, 1, known, out type);
        }

        if (BoolResults.Contains(node.OpType))
        {
            type = DataType.Bool;
            return true;
        }

        if (Int64Results.Contains(node.OpType))
        {
            type = DataType.Int64;
            return true;
        }

        // Every other operator FewShot writes yields the type of its first typed input.
        for (var i = 0; i < node.Input.Count; i++)
        {
            if (TryInput(node, i, known, out type))
            {
                return true;
            }
        }

        type = DataType.Undefined;
        return false;
    }

    private static bool TryInput(NodeProto node, int index, IReadOnlyDictionary<string, DataType> known, out DataType type)
    {
        type = DataType.Undefined;
        return index < node.Input.Count && known.TryGetValue(node.Input[index], out type);
    }
}
