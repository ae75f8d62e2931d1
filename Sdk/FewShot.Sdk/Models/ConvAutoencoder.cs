using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A small convolutional autoencoder: two stride-2 3×3 convolutions and a linear layer down to a latent code,
/// a linear layer and two stride-2 4×4 transposed convolutions back up, and a sigmoid (inputs in [0, 1]).
/// Height and width must be multiples of 4.
/// </summary>
public sealed class ConvAutoencoder : IFewShotModel
{
    private readonly long _channels;
    private readonly long _height;
    private readonly long _width;
    private readonly int _hidden;

    /// <summary>Creates the network.</summary>
    /// <param name="inputShape">[channels, height, width]; height and width multiples of 4.</param>
    /// <param name="latentSize">Size of the latent code.</param>
    /// <param name="hidden">Channels of the first conv layer (the second has twice as many).</param>
    public ConvAutoencoder(IReadOnlyList<long> inputShape, int latentSize = 64, int hidden = 16)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3 || inputShape[0] <= 0 || inputShape[1] <= 0 || inputShape[2] <= 0 || inputShape[1] % 4 != 0 || inputShape[2] % 4 != 0)
        {
            throw new ArgumentException($"the autoencoder needs [channels, height, width] with height and width multiples of 4, got [{string.Join(", ", inputShape)}]", nameof(inputShape));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(latentSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        (_channels, _height, _width, _hidden) = (inputShape[0], inputShape[1], inputShape[2], hidden);
        InputShape = inputShape.ToArray();
        LatentSize = latentSize;
        var flat = 2L * hidden * (_height / 4) * (_width / 4);
        Parameters =
        [
            new("enc1.weight", [hidden, _channels, 3, 3], ParameterInit.UniformFanIn, _channels * 9),
            new("enc1.bias", [hidden], ParameterInit.UniformFanIn, _channels * 9),
            new("enc2.weight", [2 * hidden, hidden, 3, 3], ParameterInit.UniformFanIn, hidden * 9L),
            new("enc2.bias", [2 * hidden], ParameterInit.UniformFanIn, hidden * 9L),
            new("code.weight", [latentSize, flat], ParameterInit.UniformFanIn, flat),
            new("code.bias", [latentSize], ParameterInit.UniformFanIn, flat),
            new("expand.weight", [flat, latentSize], ParameterInit.UniformFanIn, latentSize),
            new("expand.bias", [flat], ParameterInit.UniformFanIn, latentSize),

            // PyTorch computes a transposed convolution's fan-in from the weight's second dimension (output channels).
            new("dec1.weight", [2 * hidden, hidden, 4, 4], ParameterInit.UniformFanIn, hidden * 16L),
            new("dec1.bias", [hidden], ParameterInit.UniformFanIn, hidden * 16L),
            new("dec2.weight", [hidden, _channels, 4, 4], ParameterInit.UniformFanIn, _channels * 16),
            new("dec2.bias", [_channels], ParameterInit.UniformFanIn, _channels * 16),
        ];
    }

    /// <inheritdoc />
    public string Name => "conv-autoencoder";

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>The reconstruction is flattened per example: channels × height × width values.</summary>
    public int OutputSize => checked((int)(_channels * _height * _width));

    /// <summary>Size of the latent code.</summary>
    public int LatentSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Appends the reconstruction, shaped like the input [batch, C, H, W].</summary>
    /// <remarks><see cref="IFewShotModel.Forward"/> flattens it to [batch, <see cref="OutputSize"/>].</remarks>
    public string Reconstruct(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        var code = Encode(graph, input, parameters);
        var expanded = Layers.Relu(graph, Layers.Linear(graph, code, parameters["expand.weight"], parameters["expand.bias"]));
        var grid = graph.Op("Reshape", [expanded, graph.Int64s(-1, 2L * _hidden, _height / 4, _width / 4)]);
        var up = Layers.Relu(graph, UpConv(graph, grid, parameters["dec1.weight"], parameters["dec1.bias"]));
        return graph.Op("Sigmoid", [UpConv(graph, up, parameters["dec2.weight"], parameters["dec2.bias"])]);
    }

    /// <summary>Appends the encoder; returns the latent code [batch, <see cref="LatentSize"/>].</summary>
    public string Encode(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var x = Layers.Relu(graph, DownConv(graph, input, parameters["enc1.weight"], parameters["enc1.bias"]));
        x = Layers.Relu(graph, DownConv(graph, x, parameters["enc2.weight"], parameters["enc2.bias"]));
        return Layers.Linear(graph, Layers.Flatten(graph, x), parameters["code.weight"], parameters["code.bias"]);
    }

    /// <inheritdoc />
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) =>
        Layers.Flatten(graph, Reconstruct(graph, input, parameters));

    private static string DownConv(GraphBuilder g, string x, string weight, string bias) =>
        g.Op("Conv", [x, weight, bias], Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1));

    private static string UpConv(GraphBuilder g, string x, string weight, string bias) =>
        g.Op("ConvTranspose", [x, weight, bias], Attr.Ints("kernel_shape", 4, 4), Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1));
}
