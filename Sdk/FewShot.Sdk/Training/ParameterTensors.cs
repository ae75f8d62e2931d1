using FewShot.Sdk.Models;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Training;

/// <summary>
/// Parameter arrays with zero-copy ORT values over them (the arrays stay pinned while this object lives). The
/// optimizer updates the arrays in place, so the values stay valid across iterations and feeding parameters allocates nothing.
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
        Tensors = new OrtValue[specs.Count];
        try
        {
            for (var i = 0; i < specs.Count; i++)
            {
                if (values[i].Length != specs[i].ElementCount)
                {
                    throw new ArgumentException($"parameter '{specs[i].Name}' of shape [{string.Join(", ", specs[i].Shape)}] needs {specs[i].ElementCount} values, got {values[i].Length}");
                }

                _index[specs[i].Name] = i;
                Tensors[i] = OrtValue.CreateTensorValueFromMemory(values[i], specs[i].Shape);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<ParameterSpec> Specs { get; }

    public float[][] Values { get; }

    public OrtValue[] Tensors { get; }

    public bool TryGet(string name, out OrtValue tensor)
    {
        var found = _index.TryGetValue(name, out var i);
        tensor = found ? Tensors[i] : null!;
        return found;
    }

    /// <summary>Puts each parameter's value into the input slot of the same name, where the graph has one.</summary>
    public void Place(GraphSession session, OrtValue[] inputs)
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
            tensor?.Dispose();
        }
    }
}
