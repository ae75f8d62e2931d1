using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A classifier over an autoencoder's latent code: the body is <see cref="ConvAutoencoder"/>'s encoder (its parameters
/// keep the autoencoder's names) with the code scaled to length <see cref="FeatureNorm"/>, the head one linear layer
/// from there to the classes. What the pretrained autoencoder's frozen encoder plus a meta-learned head deploys as.
/// </summary>
/// <remarks>
/// A reconstruction-trained code has no particular scale (lengths in the hundreds are usual), and a gradient step on
/// the head moves the logits by the step size times the features' squared length: fixing that length makes the inner
/// loop's step size mean the same for every pretrained encoder.
/// </remarks>
public sealed class LatentClassifier : IHeadedModel
{
    private readonly ConvAutoencoder _autoencoder;

    /// <summary>Puts a head of <paramref name="outputs"/> classes on <paramref name="autoencoder"/>'s encoder.</summary>
    public LatentClassifier(ConvAutoencoder autoencoder, int outputs)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        _autoencoder = autoencoder;
        OutputSize = outputs;
        Parameters =
        [
            .. autoencoder.Parameters.Take(EncoderParameterCount),
            new("head.weight", [outputs, autoencoder.LatentSize], ParameterInit.UniformFanIn, autoencoder.LatentSize),
            new("head.bias", [outputs], ParameterInit.UniformFanIn, autoencoder.LatentSize),
        ];
    }

    /// <summary>The encoder's tensors, first in both <see cref="ConvAutoencoder.Parameters"/> and <see cref="Parameters"/>: enc1, enc2, code.</summary>
    public const int EncoderParameterCount = 6;

    /// <summary>The length every example's features are scaled to.</summary>
    public const float FeatureNorm = 4f;

    /// <summary>Guards the division for an all-zero code.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>The autoencoder whose encoder is the body.</summary>
    public ConvAutoencoder Autoencoder => _autoencoder;

    /// <inheritdoc />
    public string Name => "conv-autoencoder-classifier";

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape => _autoencoder.InputShape;

    /// <inheritdoc />
    public int OutputSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <inheritdoc />
    public int FeatureSize => _autoencoder.LatentSize;

    /// <inheritdoc />
    public IReadOnlyList<string> HeadParameterNames => ["head.weight", "head.bias"];

    /// <inheritdoc />
    public string Features(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var code = _autoencoder.Encode(graph, input, parameters);
        var squared = graph.Op("ReduceSum", [graph.Op("Mul", [code, code]), graph.Int64s(1)], Attr.Int("keepdims", 1));
        var length = graph.Op("Sqrt", [graph.Op("Add", [squared, graph.Scalar(Epsilon)])]);
        return graph.Op("Mul", [code, graph.Op("Div", [graph.Scalar(FeatureNorm), length])]);
    }

    /// <inheritdoc />
    public string Head(GraphBuilder graph, string features, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Layers.Linear(graph, features, parameters["head.weight"], parameters["head.bias"]);
    }

    /// <inheritdoc />
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) =>
        Head(graph, Features(graph, input, parameters), parameters);
}
