using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Checks a loaded graph's inputs, overridable initializers and outputs (as ONNX Runtime reports them) against the
/// bundle contract and the manifest, so that a bundle fails at load with a named reason, never at the first Adapt.
/// </summary>
internal sealed class GraphChecks
{
    private readonly InferenceSession _session;
    private readonly string _entry;

    public GraphChecks(InferenceSession session, string entry)
    {
        _session = session;
        _entry = entry;
    }

    /// <summary>The names of the graph's required (non-initializer) inputs.</summary>
    public IReadOnlySet<string> Inputs => _session.InputNames.ToHashSet(StringComparer.Ordinal);

    /// <summary>The graph's input of that name, required or overridable, if it has one.</summary>
    public GraphValue? FindInput(string name) =>
        _session.InputMetadata.TryGetValue(name, out NodeMetadata? input) ? new GraphValue(name, input)
        : _session.OverridableInitializerMetadata.TryGetValue(name, out NodeMetadata? state) ? new GraphValue(name, state)
        : null;

    /// <summary>Every required input is allowed here and passes its check; returns the names present.</summary>
    public IReadOnlySet<string> RequireInputs(IReadOnlyDictionary<string, Expected> allowed)
    {
        foreach ((string name, NodeMetadata input) in _session.InputMetadata)
        {
            if (!allowed.TryGetValue(name, out Expected? expected))
            {
                throw Invalid($"takes input '{name}', which the bundle format does not define here (allowed: {string.Join(", ", allowed.Keys)})");
            }

            Check(new GraphValue(name, input), expected);
        }

        return Inputs;
    }

    /// <summary>Every overridable initializer is a manifest parameter of the manifest's shape, and <paramref name="fed"/> are among them.</summary>
    public void RequireParameters(IReadOnlyDictionary<string, ManifestParameter> parameters, IEnumerable<string> fed, string why)
    {
        foreach ((string name, NodeMetadata state) in _session.OverridableInitializerMetadata)
        {
            if (!parameters.TryGetValue(name, out ManifestParameter? parameter))
            {
                throw Invalid($"has an overridable initializer '{name}' that the manifest does not list as a parameter");
            }

            Check(new GraphValue(name, state), new Expected(TensorElementType.Float, [.. parameter.Shape], $"parameter '{name}'"));
        }

        var overridable = _session.OverridableInitializerMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        string? missing = fed.FirstOrDefault(name => !overridable.Contains(name));
        if (missing is not null)
        {
            throw Invalid($"does not take parameter '{missing}' as an input with a stored default; {why}");
        }
    }

    /// <summary>The graph has this output, of this type and (where given and fixed) shape.</summary>
    public void RequireOutput(string name, Expected expected)
    {
        if (!_session.OutputMetadata.TryGetValue(name, out NodeMetadata? output))
        {
            throw Invalid($"has no output '{name}' ({expected.What}); its outputs are {string.Join(", ", _session.OutputNames)}");
        }

        Check(new GraphValue(name, output), expected);
    }

    /// <summary>The names of the graph's outputs.</summary>
    public IEnumerable<string> Outputs => _session.OutputNames;

    /// <summary>An error about this graph.</summary>
    public InvalidBundleException Invalid(string problem) => new(_entry, $"{_entry} {problem}");

    private void Check(GraphValue value, Expected expected)
    {
        NodeMetadata metadata = value.Metadata;
        if (!metadata.IsTensor || metadata.ElementDataType != expected.Type)
        {
            throw Invalid($"declares '{value.Name}' ({expected.What}) as {(metadata.IsTensor ? metadata.ElementDataType.ToString() : "a non-tensor")}; expected {expected.Type}");
        }

        if (expected.Dimensions is not { } dims)
        {
            return;
        }

        bool fits = value.Dimensions.Length == dims.Length && dims.Select((d, i) => d < 0 || value.Dimensions[i] < 0 || value.Dimensions[i] == d).All(ok => ok);
        if (!fits)
        {
            throw Invalid($"declares '{value.Name}' ({expected.What}) with shape {value.Shape}; expected [{Show(dims)}]");
        }
    }

    private static string Show(long[] dims) =>
        string.Join(", ", dims.Select(d => d < 0 ? "n" : d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>What a value must be: element type, and dimensions (-1 for any) unless null.</summary>
    internal sealed record Expected(TensorElementType Type, long[]? Dimensions, string What);
}
