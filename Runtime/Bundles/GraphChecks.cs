using System.Globalization;

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
    public IReadOnlySet<string> Inputs => _session.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The graph's input of that name, required or overridable, if it has one.</summary>
    public TensorMetadata? FindInput(string name) =>
        _session.Inputs.Concat(_session.OverridableInitializers).FirstOrDefault(i => i.Name == name);

    /// <summary>Every required input is allowed here and passes its check; returns the names present.</summary>
    public IReadOnlySet<string> RequireInputs(IReadOnlyDictionary<string, Expected> allowed)
    {
        foreach (TensorMetadata input in _session.Inputs)
        {
            if (!allowed.TryGetValue(input.Name, out Expected? expected))
            {
                throw Invalid($"takes input '{input.Name}', which the bundle format does not define here (allowed: {string.Join(", ", allowed.Keys)})");
            }

            Check(input, expected);
        }

        return Inputs;
    }

    /// <summary>Every overridable initializer is a manifest parameter of the manifest's shape, and <paramref name="fed"/> are among them.</summary>
    public void RequireParameters(IReadOnlyDictionary<string, ManifestParameter> parameters, IEnumerable<string> fed, string why)
    {
        foreach (TensorMetadata state in _session.OverridableInitializers)
        {
            if (!parameters.TryGetValue(state.Name, out ManifestParameter? parameter))
            {
                throw Invalid($"has an overridable initializer '{state.Name}' that the manifest does not list as a parameter");
            }

            Check(state, new Expected(TensorElementType.Float, [.. parameter.Shape], $"parameter '{state.Name}'"));
        }

        var overridable = _session.OverridableInitializers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        string? missing = fed.FirstOrDefault(name => !overridable.Contains(name));
        if (missing is not null)
        {
            throw Invalid($"does not take parameter '{missing}' as an input with a stored default; {why}");
        }
    }

    /// <summary>The graph has this output, of this type and (where given and fixed) shape.</summary>
    public void RequireOutput(string name, Expected expected)
    {
        TensorMetadata output = _session.Outputs.FirstOrDefault(o => o.Name == name)
            ?? throw Invalid($"has no output '{name}' ({expected.What}); its outputs are {string.Join(", ", _session.Outputs.Select(o => o.Name))}");
        Check(output, expected);
    }

    /// <summary>The names of the graph's outputs.</summary>
    public IEnumerable<string> Outputs => _session.Outputs.Select(o => o.Name);

    /// <summary>An error about this graph.</summary>
    public InvalidBundleException Invalid(string problem) => new(_entry, $"{_entry} {problem}");

    private void Check(TensorMetadata value, Expected expected)
    {
        if (!value.IsTensor || value.ElementType != expected.Type)
        {
            throw Invalid($"declares '{value.Name}' ({expected.What}) as {(value.IsTensor ? value.ElementType.ToString() : "a non-tensor")}; expected {expected.Type}");
        }

        if (expected.Dimensions is not { } dims)
        {
            return;
        }

        bool fits = value.Rank == dims.Length && dims.Select((d, i) => d < 0 || value.Dimensions[i] < 0 || value.Dimensions[i] == d).All(ok => ok);
        if (!fits)
        {
            throw Invalid($"declares '{value.Name}' ({expected.What}) with shape {value}; expected [{Show(dims)}]");
        }
    }

    private static string Show(long[] dims) =>
        string.Join(", ", dims.Select(d => d < 0 ? "n" : d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>What a value must be: element type, and dimensions (-1 for any) unless null.</summary>
    internal sealed record Expected(TensorElementType Type, long[]? Dimensions, string What);
}
