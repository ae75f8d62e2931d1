using FewShot.Runtime;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Training;

/// <summary>
/// Parameter arrays with zero-copy ORT tensors over them. The optimizer updates the arrays in place, so the
/// tensors stay valid across iterations and feeding parameters allocates nothing.
/// </summary>
internal sealed class ParameterTensors : IDisposable
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public ParameterTensors(IReadOnlyList<ParameterSpec> specs, float[][] values)
    {
        if (specs.Count != values.Length)
        {
            throw new ArgumentException($"{specs.Count} parameters are declared but {values.Length} arrays were given");
        }

        Specs = specs;
        Values = values;
        Tensors = new OrtTensor[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            if (values[i].Length != specs[i].ElementCount)
            {
                throw new ArgumentException($"parameter '{specs[i].Name}' of shape [{string.Join(", ", specs[i].Shape)}] needs {specs[i].ElementCount} values, got {values[i].Length}");
            }

            _index[specs[i].Name] = i;
            Tensors[i] = OrtTensor.FromArray(values[i], specs[i].Shape);
        }
    }

    public IReadOnlyList<ParameterSpec> Specs { get; }

    public float[][] Values { get; }

    public OrtTensor[] Tensors { get; }

    public bool TryGet(string name, out OrtTensor tensor)
    {
        var found = _index.TryGetValue(name, out var i);
        tensor = found ? Tensors[i] : null!;
        return found;
    }

    /// <summary>Puts each parameter's tensor into the input slot of the same name, where the graph has one.</summary>
    public void Place(GraphSession session, OrtTensor[] inputs)
    {
        var names = session.Graph.Inputs;
        for (var i = 0; i < names.Count; i++)
        {
            if (TryGet(names[i], out var tensor))
            {
                inputs[i] = tensor;
            }
        }
    }

    public void Dispose()
    {
        foreach (var tensor in Tensors)
        {
            tensor.Dispose();
        }
    }
}
