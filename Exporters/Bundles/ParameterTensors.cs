using FewShot.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// θ₀ as the caller gives it (ONNX tensors) turned into what parameters.bin stores. The manifest's own rules are
/// FewShot.Bundles' <see cref="ManifestRules"/>, shared with the runtime; these are the checks only protobuf input needs.
/// </summary>
internal static class ParameterTensors
{
    /// <summary>Checks θ₀ and converts it, in the given order.</summary>
    /// <exception cref="ArgumentException">A tensor is null, unnamed, named twice, not float32, or malformed; the message names it.</exception>
    public static NamedTensor[] Convert(IReadOnlyList<TensorProto> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Require(parameters.Count > 0, "no parameters were given; θ₀ needs at least one tensor");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tensors = new NamedTensor[parameters.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            TensorProto tensor = parameters[i];
            Require(tensor is not null, "a parameter tensor is null");
            string name = tensor!.Name;
            Require(!string.IsNullOrWhiteSpace(name), "a parameter tensor has no name");
            Require(names.Add(name), $"parameter '{name}' is given twice");
            Require(tensor.DataType == (int)DataType.Float, $"parameter '{name}' has data type {(DataType)tensor.DataType}; parameters are float32");
            Require(tensor.Dims.Count <= TensorSet.MaxRank && tensor.Dims.All(d => d > 0) && tensor.Dims.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
                $"parameter '{name}' has shape [{string.Join(", ", tensor.Dims)}]; expected at most {TensorSet.MaxRank} positive dimensions and at most {int.MaxValue} elements");
            try
            {
                tensors[i] = new NamedTensor(name, [.. tensor.Dims], TensorData.ToFloats(tensor));
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException($"bundle parameter '{name}' is malformed: {e.Message}", "contents", e);
            }
        }

        return tensors;
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"bundle manifest: {problem}", "contents");
        }
    }
}
