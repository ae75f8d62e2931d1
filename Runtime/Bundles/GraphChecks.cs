using FewShot.Bundles;

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
    public static GraphUse Check(InferenceSession session, string entry, ModelManifest manifest, bool featuresNeeded = false)
    {
        // Overridable initializers are inputs with a stored default; format 2 forbids them for parameters, and the shared check says so.
        IReadOnlyList<TensorMetadata> inputs = [.. session.Inputs, .. session.OverridableInitializers];
        var signature = new GraphSignature(
            [.. inputs.Select(Value)],
            [.. session.Outputs.Select(Value)],
            session.OverridableInitializers.Select(i => i.Name).ToHashSet(StringComparer.Ordinal));
        try
        {
            return GraphExpectations.Check(manifest, entry, signature, featuresNeeded);
        }
        catch (BundleFormatException e)
        {
            throw new InvalidBundleException(entry, e.Message, e);
        }
    }

    /// <summary>The input of that name as ONNX Runtime reports it.</summary>
    public static TensorMetadata Input(InferenceSession session, string name) => session.Inputs.First(i => i.Name == name);

    private static GraphValue Value(TensorMetadata value) => new(
        value.Name,
        !value.IsTensor ? GraphElementType.Other
            : value.ElementType switch
            {
                TensorElementType.Float => GraphElementType.Float,
                TensorElementType.Int64 => GraphElementType.Int64,
                _ => GraphElementType.Other,
            },
        [.. value.Dimensions.Select(d => d < 0 ? (long?)null : d)]);
}
