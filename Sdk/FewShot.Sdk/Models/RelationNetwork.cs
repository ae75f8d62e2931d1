using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// The two modules of Relation Networks (Sung et al., 2018). The embedding module is four blocks of [3×3 conv,
/// normalization, ReLU], the first two followed by 2×2 max-pooling, so 28×28 inputs give 64 maps of 7×7; its output,
/// flattened, is the model's output (<see cref="IFewShotModel.Forward"/>). The relation module takes a query's maps
/// concatenated with a class's maps, runs two such blocks with pooling, then FC → ReLU → FC → sigmoid: a relation
/// score in (0, 1) per (query, class) pair.
/// </summary>
/// <remarks>
/// Normalization is per example by default (<see cref="FeatureNormalization"/>, as conv4's), not over the batch, so a
/// query's score never depends on the other queries or pairs it is computed with; batch statistics (the paper's) are
/// an opt-in, and then a score depends on the other pairs of its batch. The relation module's first convolution over the
/// concatenation [query; class] is computed as conv(query; W_q) + conv(class; W_c), its weight's two halves along the
/// input channels: the same values, with each map convolved once rather than once per pair.
/// </remarks>
public sealed class RelationNetwork : IFewShotModel
{
    private const int EmbeddingBlocks = 4;
    private const int PooledEmbeddingBlocks = 2;
    private const int RelationBlocks = 2;

    /// <summary>Creates the network.</summary>
    /// <param name="inputShape">One example's shape [channels, height, width], e.g. [1, 28, 28].</param>
    /// <param name="channels">Channels of every conv layer (64 in the paper).</param>
    /// <param name="hidden">Units of the relation module's hidden layer (8 in the paper).</param>
    /// <param name="normalization">Where the normalization layers take their statistics (default: <see cref="FeatureNormalizations.Default"/>).</param>
    public RelationNetwork(IReadOnlyList<long> inputShape, int channels = 64, int hidden = 8, FeatureNormalization normalization = FeatureNormalizations.Default)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3 || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"relation networks need an input shape [channels, height, width] of positive sizes, got [{string.Join(", ", inputShape)}]", nameof(inputShape));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        InputShape = inputShape.ToArray();
        Channels = channels;
        Normalization = Enum.IsDefined(normalization) ? normalization : throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "not a FeatureNormalization");
        MapHeight = inputShape[1] >> PooledEmbeddingBlocks;
        MapWidth = inputShape[2] >> PooledEmbeddingBlocks;
        var relationHeight = MapHeight >> RelationBlocks;
        var relationWidth = MapWidth >> RelationBlocks;
        if (relationHeight == 0 || relationWidth == 0)
        {
            throw new ArgumentException($"relation networks halve the image four times; {inputShape[1]}×{inputShape[2]} is too small (at least 16×16)", nameof(inputShape));
        }

        OutputSize = checked((int)(channels * MapHeight * MapWidth));
        RelationFeatureSize = checked((int)(channels * relationHeight * relationWidth));
        Parameters = CreateParameters(inputShape[0], channels, RelationFeatureSize, hidden);
    }

    /// <inheritdoc />
    public string Name => "relation-conv4";

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>The flattened embedding: <see cref="Channels"/> × <see cref="MapHeight"/> × <see cref="MapWidth"/>.</summary>
    public int OutputSize { get; }

    /// <summary>Channels of every conv layer.</summary>
    public int Channels { get; }

    /// <summary>Where the normalization layers take their statistics.</summary>
    public FeatureNormalization Normalization { get; }

    /// <summary>Height of the embedding's maps (the input's over 4).</summary>
    public long MapHeight { get; }

    /// <summary>Width of the embedding's maps.</summary>
    public long MapWidth { get; }

    /// <summary>Values per pair entering the relation module's first fully connected layer.</summary>
    public int RelationFeatureSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The embedding module: [n, …input] → [n, <see cref="OutputSize"/>].</summary>
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        var x = input;
        for (var i = 1; i <= EmbeddingBlocks; i++)
        {
            x = Block(graph, Layers.Conv(graph, x, parameters[$"embed{i}.weight"], parameters[$"embed{i}.bias"], pad: 1), parameters, $"embed{i}", pool: i <= PooledEmbeddingBlocks);
        }

        return Layers.Flatten(graph, x);
    }

    /// <summary>
    /// The relation module over every (query, class) pair: [m, D] query embeddings and [N, D] class embeddings → [m, N]
    /// relation scores in (0, 1).
    /// </summary>
    public string Relations(GraphBuilder graph, string queries, string classes, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        var maps = graph.Int64s(-1, Channels, MapHeight, MapWidth);
        var weight = parameters["relation1.weight"];
        string Half(long start) => graph.Op("Slice", [weight, graph.Int64s(start), graph.Int64s(start + Channels), graph.Int64s(1)]);
        var fromQuery = graph.Op("Conv", [graph.Op("Reshape", [queries, maps]), Half(0)], Attr.Ints("pads", 1, 1, 1, 1));
        var fromClass = Layers.Conv(graph, graph.Op("Reshape", [classes, maps]), Half(Channels), parameters["relation1.bias"], pad: 1);

        // [m, 1, C, h, w] + [1, N, C, h, w]: every pair, flattened to a batch of m·N.
        var pairs = graph.Op("Add", [graph.Op("Unsqueeze", [fromQuery, graph.Int64s(1)]), graph.Op("Unsqueeze", [fromClass, graph.Int64s(0)])]);
        var x = Block(graph, graph.Op("Reshape", [pairs, maps]), parameters, "relation1", pool: true);
        x = Block(graph, Layers.Conv(graph, x, parameters["relation2.weight"], parameters["relation2.bias"], pad: 1), parameters, "relation2", pool: true);
        x = Layers.Relu(graph, Layers.Linear(graph, Layers.Flatten(graph, x), parameters["fc1.weight"], parameters["fc1.bias"]));
        var scores = graph.Op("Sigmoid", [Layers.Linear(graph, x, parameters["fc2.weight"], parameters["fc2.bias"])]);
        var shape = graph.Op("Concat", [graph.Op("Shape", [queries], Attr.Int("end", 1)), graph.Op("Shape", [classes], Attr.Int("end", 1))], Attr.Int("axis", 0));
        return graph.Op("Reshape", [scores, shape]);
    }

    private string Block(GraphBuilder graph, string convolved, IReadOnlyDictionary<string, string> parameters, string name, bool pool)
    {
        var x = Layers.Normalize(graph, convolved, parameters[$"{name}.norm.weight"], parameters[$"{name}.norm.bias"], Normalization, Channels);
        x = Layers.Relu(graph, x);
        return pool ? Layers.MaxPool2x2(graph, x) : x;
    }

    private static ParameterSpec[] CreateParameters(long inputChannels, int channels, int relationFeatures, int hidden)
    {
        var list = new List<ParameterSpec>();
        void Conv(string name, long inChannels)
        {
            var fanIn = inChannels * 9;
            list.Add(new ParameterSpec($"{name}.weight", [channels, inChannels, 3, 3], ParameterInit.UniformFanIn, fanIn));
            list.Add(new ParameterSpec($"{name}.bias", [channels], ParameterInit.UniformFanIn, fanIn));
            list.Add(new ParameterSpec($"{name}.norm.weight", [channels], ParameterInit.Ones));
            list.Add(new ParameterSpec($"{name}.norm.bias", [channels], ParameterInit.Zeros));
        }

        for (var i = 1; i <= EmbeddingBlocks; i++)
        {
            Conv($"embed{i}", i == 1 ? inputChannels : channels);
        }

        Conv("relation1", 2L * channels);
        Conv("relation2", channels);
        list.Add(new ParameterSpec("fc1.weight", [hidden, relationFeatures], ParameterInit.UniformFanIn, relationFeatures));
        list.Add(new ParameterSpec("fc1.bias", [hidden], ParameterInit.UniformFanIn, relationFeatures));
        list.Add(new ParameterSpec("fc2.weight", [1, hidden], ParameterInit.UniformFanIn, hidden));
        list.Add(new ParameterSpec("fc2.bias", [1], ParameterInit.UniformFanIn, hidden));
        return list.ToArray();
    }
}
