using System.Text.Json;
using FewShot.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Turns a bundle's predict.onnx and an adapted model's tensors (θ′, and prototypes for ProtoNets) into one plain,
/// self-contained ONNX model: every state input becomes an ordinary initializer, so the only input is "x" and any
/// ONNX consumer runs it. Thread-safe: no shared state.
/// </summary>
public static class AdaptedOnnxExport
{
    /// <summary>The metadata key under which the class labels are stored, as a JSON array of strings in class-index order.</summary>
    public const string LabelsMetadataKey = "fewshot.labels";

    /// <summary>Builds the self-contained model.</summary>
    /// <param name="predictModel">The bundle's predict.onnx bytes (see <see cref="BundleFile.ReadEntry(string, string)"/>).</param>
    /// <param name="parameters">θ₀, the bundle's parameters.bin (see <see cref="BundleFile.ReadParameters(string)"/>): the value of every parameter not adapted.</param>
    /// <param name="adaptedTensors">
    /// Float tensors named after predict's state inputs: adapted parameters ("fc2.weight", …) and, for prototype bundles,
    /// "prototypes". Parameters not given keep θ₀.
    /// </param>
    /// <param name="labels">The adapted model's labels in class-index order, stored as metadata; null to store none.</param>
    /// <returns>A fresh model whose graph inputs are exactly "x".</returns>
    /// <exception cref="InvalidDataException"><paramref name="predictModel"/> is not an ONNX model, or a tensor's data does not match its shape.</exception>
    /// <exception cref="ArgumentException">
    /// A tensor names no state input, is not float or has the wrong shape, or a state input without a stored value
    /// (such as "prototypes") was not given.
    /// </exception>
    public static ModelProto Create(
        ReadOnlySpan<byte> predictModel, IReadOnlyList<TensorProto> parameters, IReadOnlyList<TensorProto> adaptedTensors, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(adaptedTensors);
        ModelProto model = OnnxModelFile.Parse(predictModel);
        GraphProto graph = model.Graph ?? throw new InvalidDataException("predict.onnx has no graph");
        var inputs = graph.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);

        // θ₀ first, then the adapted values over it: a parameter not adapted keeps its meta-learned value.
        foreach (TensorProto tensor in parameters.Where(p => p is not null && inputs.ContainsKey(p.Name)).Concat(adaptedTensors))
        {
            ArgumentNullException.ThrowIfNull(tensor, nameof(adaptedTensors));
            Bake(graph, inputs, tensor);
        }

        var stored = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input.Where(i => stored.Contains(i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }

        string? missing = graph.Input.Select(i => i.Name).FirstOrDefault(n => n != BundleNames.X);
        if (missing is not null)
        {
            throw new ArgumentException($"predict.onnx input '{missing}' has no value: pass the adapted model's '{missing}' tensor", nameof(adaptedTensors));
        }

        // "features" only carries support features from predict to adapt inside the runtime; consumers want the prediction.
        foreach (ValueInfoProto output in graph.Output.Where(o => o.Name == BundleNames.Features).ToList())
        {
            graph.Output.Remove(output);
        }

        if (labels is not null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = LabelsMetadataKey, Value = JsonSerializer.Serialize(labels.ToArray()) });
        }

        model.DocString = "FewShot adapted model: predict.onnx with the adapted state stored as initializers; input \"x\", output \"output\".";
        return model;
    }

    /// <summary>Builds the model as <see cref="Create"/> does and writes it to <paramref name="path"/> atomically.</summary>
    /// <exception cref="InvalidDataException"><paramref name="predictModel"/> is not an ONNX model.</exception>
    /// <exception cref="ArgumentException">See <see cref="Create"/>.</exception>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public static void Write(
        string path, ReadOnlySpan<byte> predictModel, IReadOnlyList<TensorProto> parameters, IReadOnlyList<TensorProto> adaptedTensors, IReadOnlyList<string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxModelFile.Save(Create(predictModel, parameters, adaptedTensors, labels), path);
    }

    private static void Bake(GraphProto graph, Dictionary<string, ValueInfoProto> inputs, TensorProto tensor)
    {
        if (tensor.Name == BundleNames.X || !inputs.TryGetValue(tensor.Name, out ValueInfoProto? input))
        {
            string states = string.Join(", ", inputs.Keys.Where(k => k != BundleNames.X));
            throw new ArgumentException($"predict.onnx has no state input named '{tensor.Name}' (its state inputs: {states})", nameof(tensor));
        }

        if (tensor.DataType != (int)DataType.Float)
        {
            throw new ArgumentException($"adapted tensor '{tensor.Name}' has data type {(DataType)tensor.DataType}; expected Float", nameof(tensor));
        }

        var declared = input.Type.TensorType.Shape?.Dim;
        bool fits = declared is null || (declared.Count == tensor.Dims.Count
            && declared.Zip(tensor.Dims).All(p => !p.First.HasDimValue || p.First.DimValue == p.Second));
        if (!fits)
        {
            string expected = string.Join(", ", declared!.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam));
            throw new ArgumentException($"adapted tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Dims)}]; predict.onnx declares [{expected}]", nameof(tensor));
        }

        _ = TensorData.ToFloats(tensor);
        TensorProto? old = graph.Initializer.FirstOrDefault(i => i.Name == tensor.Name);
        if (old is not null)
        {
            graph.Initializer.Remove(old);
        }

        graph.Initializer.Add(tensor.Clone());
    }
}
