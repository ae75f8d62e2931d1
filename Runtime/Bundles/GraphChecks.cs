using FewShot.Bundles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Checks a loaded graph against the bundle contract, which FewShot.Bundles' <see cref="GraphExpectations"/> describes
/// for writer and reader alike: this class only translates ONNX Runtime's session metadata into a
/// <see cref="GraphSignature"/>, so a bundle fails at load with a named reason, never at the first Adapt.
/// </summary>
internal static class GraphChecks
{
    /// <summary>What the graph reads and produces.</summary>
    /// <exception cref="InvalidBundleException">The graph breaks the contract.</exception>
    /// <param name="session">The graph's session.</param>
    /// <param name="entry">Its bundle entry.</param>
    /// <param name="manifest">The bundle's manifest.</param>
    /// <param name="featuresNeeded">Whether predict must output "features".</param>
    /// <param name="prototypeLabels">Whether predict takes "prototype_labels".</param>
    /// <param name="constants">Parameter inputs that <see cref="Sessions.ConstantInputs"/> turned into initializers of θ₀ before the session opened: checked as the inputs they were.</param>
    public static GraphUse Check(
        InferenceSession session, string entry, ModelManifest manifest, bool featuresNeeded = false, bool prototypeLabels = false, IEnumerable<TensorSignature>? constants = null)
    {
        // Overridable initializers are inputs with a stored default; format 2 forbids them for parameters, and the shared check says so.
        var signature = new GraphSignature(
            [.. session.InputMetadata.Concat(session.OverridableInitializerMetadata).Select(Value), .. constants ?? []],
            [.. session.OutputMetadata.Select(Value)],
            session.OverridableInitializerMetadata.Keys.ToHashSet(StringComparer.Ordinal));
        try
        {
            return GraphExpectations.Check(manifest, entry, signature, featuresNeeded, prototypeLabels);
        }
        catch (BundleFormatException e)
        {
            throw new InvalidBundleException(entry, e.Message, e);
        }
    }

    /// <summary>The required input of that name as ONNX Runtime declares it.</summary>
    public static GraphValue Input(InferenceSession session, string name) => new(name, session.InputMetadata[name]);

    private static TensorSignature Value(KeyValuePair<string, NodeMetadata> value) => new(
        value.Key,
        !value.Value.IsTensor ? GraphElementType.Other
            : value.Value.ElementDataType switch
            {
                TensorElementType.Float => GraphElementType.Float,
                TensorElementType.Int64 => GraphElementType.Int64,
                _ => GraphElementType.Other,
            },
        [.. value.Value.Dimensions.Select(d => d < 0 ? (long?)null : d)]);
}
