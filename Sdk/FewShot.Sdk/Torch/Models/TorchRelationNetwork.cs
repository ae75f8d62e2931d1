using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="RelationNetwork"/>: parameters in its order (four conv blocks of weight, bias,
/// norm scale, norm shift for the embedding, two for the relation module, then fc1 and fc2).
/// </summary>
public sealed class TorchRelationNetwork : ITorchModel
{
    private const int EmbeddingBlocks = 4;
    private const int PooledEmbeddingBlocks = 2;
    private const int Relation1 = 4 * EmbeddingBlocks;
    private const int Relation2 = Relation1 + 4;
    private const int Fc = Relation2 + 4;
    private readonly RelationNetwork _model;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchRelationNetwork(RelationNetwork model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <inheritdoc />
    public IFewShotModel Description => _model;

    /// <summary>The embedding module: [n, …input] → [n, D], flattened maps.</summary>
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var block = 0; block < EmbeddingBlocks; block++)
        {
            var p = 4 * block;
            x = Block(TorchLayers.ConvSame(x, parameters[p], parameters[p + 1]), parameters, p, pool: block < PooledEmbeddingBlocks);
        }

        return TorchLayers.Flatten(x);
    }

    /// <summary>The relation module over every pair: [m, D] queries and [N, D] classes → [m, N] scores in (0, 1).</summary>
    public torch.Tensor Relations(IReadOnlyList<torch.Tensor> parameters, torch.Tensor queries, torch.Tensor classes)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        long[] maps = [-1, _model.Channels, _model.MapHeight, _model.MapWidth];
        var weight = parameters[Relation1];
        var fromQuery = TorchLayers.ConvSame(queries.reshape(maps), weight.narrow(1, 0, _model.Channels), null);
        var fromClass = TorchLayers.ConvSame(classes.reshape(maps), weight.narrow(1, _model.Channels, _model.Channels), parameters[Relation1 + 1]);
        var pairs = fromQuery.unsqueeze(1) + fromClass.unsqueeze(0);
        var x = Block(pairs.reshape(maps), parameters, Relation1, pool: true);
        x = Block(TorchLayers.ConvSame(x, parameters[Relation2], parameters[Relation2 + 1]), parameters, Relation2, pool: true);
        x = TorchLayers.Relu(TorchLayers.Linear(TorchLayers.Flatten(x), parameters[Fc], parameters[Fc + 1]));
        var scores = torch.sigmoid(TorchLayers.Linear(x, parameters[Fc + 2], parameters[Fc + 3]));
        return scores.reshape(queries.shape[0], classes.shape[0]);
    }

    private torch.Tensor Block(torch.Tensor convolved, IReadOnlyList<torch.Tensor> parameters, int p, bool pool)
    {
        var x = TorchLayers.Relu(TorchLayers.Normalize(convolved, parameters[p + 2], parameters[p + 3], _model.Normalization, _model.Channels));
        return pool ? TorchLayers.MaxPool2x2(x) : x;
    }
}
