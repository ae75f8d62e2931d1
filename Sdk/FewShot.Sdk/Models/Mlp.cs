using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>A fully connected network with ReLU between layers; the MAML paper's sinusoid model is 1-40-40-1.</summary>
public sealed class Mlp : IHeadedModel
{
    private readonly int[] _sizes;

    /// <summary>Creates the network from its layer sizes, input first, e.g. [1, 40, 40, 1].</summary>
    public Mlp(params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2 || sizes.Any(s => s <= 0))
        {
            throw new ArgumentException($"an MLP needs at least two positive layer sizes, got [{string.Join(", ", sizes)}]", nameof(sizes));
        }

        _sizes = sizes.ToArray();
        var parameters = new List<ParameterSpec>();
        for (var i = 1; i < sizes.Length; i++)
        {
            parameters.Add(new ParameterSpec($"fc{i}.weight", [sizes[i], sizes[i - 1]], ParameterInit.UniformFanIn, sizes[i - 1]));
            parameters.Add(new ParameterSpec($"fc{i}.bias", [sizes[i]], ParameterInit.UniformFanIn, sizes[i - 1]));
        }

        Parameters = parameters;
    }

    /// <summary>The MAML paper's sinusoid regressor: 1-40-40-1.</summary>
    public static Mlp Sinusoid() => new(1, 40, 40, 1);

    /// <inheritdoc />
    public string Name => "mlp-" + string.Join("-", _sizes);

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape => [_sizes[0]];

    /// <inheritdoc />
    public int OutputSize => _sizes[^1];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> HeadParameterNames => [$"fc{_sizes.Length - 1}.weight", $"fc{_sizes.Length - 1}.bias"];

    /// <inheritdoc />
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) =>
        Head(graph, Features(graph, input, parameters), parameters);

    /// <inheritdoc />
    public string Features(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var x = input;
        for (var i = 1; i < _sizes.Length - 1; i++)
        {
            x = Layers.Relu(graph, Layers.Linear(graph, x, parameters[$"fc{i}.weight"], parameters[$"fc{i}.bias"]));
        }

        return x;
    }

    /// <inheritdoc />
    public string Head(GraphBuilder graph, string features, IReadOnlyDictionary<string, string> parameters)
    {
        var last = _sizes.Length - 1;
        return Layers.Linear(graph, features, parameters[$"fc{last}.weight"], parameters[$"fc{last}.bias"]);
    }
}
