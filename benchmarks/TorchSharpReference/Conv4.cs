using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FewShot.Benchmarks.TorchSharp;

/// <summary>
/// conv4 in TorchSharp's functional style, as benchmarks/conv4_common.py writes it in PyTorch: 4 × [3×3 conv 64,
/// batch norm with batch statistics, 2×2 max-pool, ReLU] on 1×28×28 inputs and a linear head; parameters as a flat
/// list (weight, bias, γ, β per block, then head weight and bias) with PyTorch's default initialization. The strided
/// conv4 (MAML's Omniglot network) has the same parameters: 4 × [3×3 conv 64 with stride 2, batch norm, ReLU], the
/// features averaged over the last 2×2 map. As in FewShot's lowerings, each convolution's bias, which batch norm
/// cancels, is left out of the convolution and added to β with weight 0 (the same outputs, its gradient exactly zero).
/// </summary>
internal static class Conv4
{
    public const int Blocks = 4;

    /// <summary>The parameters, uniform in ±1/√fan-in as PyTorch initializes them; a head of <paramref name="ways"/> outputs when positive.</summary>
    public static Tensor[] Parameters(Generator generator, int ways)
    {
        var list = new List<Tensor>();
        var inChannels = 1L;
        for (var block = 0; block < Blocks; block++)
        {
            var bound = 1.0 / Math.Sqrt(inChannels * 9);
            list.Add(Uniform(generator, [64, inChannels, 3, 3], bound));
            list.Add(Uniform(generator, [64], bound));
            list.Add(ones(64));
            list.Add(zeros(64));
            inChannels = 64;
        }

        if (ways > 0)
        {
            list.Add(Uniform(generator, [ways, 64], 1.0 / 8));
            list.Add(Uniform(generator, [ways], 1.0 / 8));
        }

        return list.ToArray();
    }

    /// <summary>The shapes of <see cref="Parameters"/>, in order.</summary>
    public static long[][] Shapes(int ways)
    {
        var shapes = new List<long[]>();
        for (var block = 0; block < Blocks; block++)
        {
            shapes.AddRange([[64, block == 0 ? 1 : 64, 3, 3], [64], [64], [64]]);
        }

        return ways > 0 ? [.. shapes, [ways, 64], [ways]] : [.. shapes];
    }

    /// <summary>The four conv blocks, flattened to [n, 64].</summary>
    public static Tensor Body(IReadOnlyList<Tensor> p, Tensor x)
    {
        for (var block = 0; block < Blocks; block++)
        {
            // Pooling before ReLU: the same values and gradients, ReLU on a quarter of the data.
            x = block == 0 && FoldFirst
                ? F.relu(ConvBatchNormFoldedPooled(x, p[0], p[2], Shift(p, 0)))
                : F.relu(F.max_pool2d(F.batch_norm(F.conv2d(x, p[4 * block], null, padding: [1, 1]), null, null, p[(4 * block) + 2], Shift(p, block), training: true), 2, 2));
        }

        return x.flatten(1);
    }

    /// <summary>
    /// CONV4_FOLD=1: the first block's batch norm folded into its convolution, as FewShot's lowerings fold it (the same
    /// function). The benchmark runs this reference both ways and keeps its faster figure per row.
    /// </summary>
    public static readonly bool FoldFirst = Environment.GetEnvironmentVariable("CONV4_FOLD") == "1";

    /// <summary>
    /// conv2d (padding 1), batch norm with batch statistics and 2×2 max-pooling, the statistics from the input patches' mean
    /// and covariance, the offset added after the pooling (a max commutes with adding a constant), as FewShot's lowerings do.
    /// </summary>
    private static Tensor ConvBatchNormFoldedPooled(Tensor x, Tensor w, Tensor gamma, Tensor beta)
    {
        var (n, positions) = (x.shape[0], x.shape[2] * x.shape[3]);
        var patches = F.unfold(x, 3, padding: 1);
        var mean = patches.mean([0L, 2L], keepdim: true);
        var centered = patches - mean;
        var covariance = centered.matmul(centered.transpose(1, 2)).sum([0L]) * tensor(1.0f / (n * positions));
        var rows = w.reshape(w.shape[0], -1);
        var channelMean = rows.matmul(mean.reshape(-1));
        var variance = (rows.matmul(covariance) * rows).sum([1L]);
        var factor = gamma / (variance + tensor(1e-5f)).sqrt();
        return F.max_pool2d(F.conv2d(x, w * factor.view(-1, 1, 1, 1), null, padding: [1, 1]), 2, 2) + (beta - (channelMean * factor)).view(1, -1, 1, 1);
    }

    /// <summary>The strided conv4's four blocks, averaged over the last map to [n, 64].</summary>
    public static Tensor StridedBody(IReadOnlyList<Tensor> p, Tensor x)
    {
        for (var block = 0; block < Blocks; block++)
        {
            x = F.conv2d(x, p[4 * block], null, strides: [2, 2], padding: [1, 1]);
            x = F.relu(F.batch_norm(x, null, null, p[(4 * block) + 2], Shift(p, block), training: true));
        }

        return x.mean([2L, 3L]);
    }

    /// <summary>β + 0·bias: batch norm cancels the convolution's bias; it stays a parameter, with gradient zero.</summary>
    private static Tensor Shift(IReadOnlyList<Tensor> p, int block) => p[(4 * block) + 3] + (p[(4 * block) + 1] * 0);

    /// <summary>Body and head: class logits.</summary>
    public static Tensor Forward(IReadOnlyList<Tensor> p, Tensor x) => F.linear(Body(p, x), p[16], p[17]);

    /// <summary>
    /// conv4 with group norm (8 groups of 8 channels, each example by itself), as FewShot's shipped bundles normalize:
    /// 4 × [3×3 conv 64 with its bias, group norm, 2×2 max-pool, ReLU] and the head; the feature maps channels-last from
    /// the first convolution on when asked (benchmarks/conv4_common.py's group_forward).
    /// </summary>
    public static Tensor GroupForward(IReadOnlyList<Tensor> p, Tensor x, bool channelsLast)
    {
        for (var block = 0; block < Blocks; block++)
        {
            x = F.conv2d(x, p[4 * block], p[(4 * block) + 1], padding: [1, 1]);
            if (block == 0 && channelsLast)
            {
                x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            }

            x = F.relu(F.max_pool2d(F.group_norm(x, 8, p[(4 * block) + 2], p[(4 * block) + 3]), 2, 2));
        }

        return F.linear(x.flatten(1), p[16], p[17]);
    }

    /// <summary>The strided conv4's body and head: class logits.</summary>
    public static Tensor StridedForward(IReadOnlyList<Tensor> p, Tensor x) => F.linear(StridedBody(p, x), p[16], p[17]);

    private static Tensor Uniform(Generator generator, long[] shape, double bound) =>
        (rand(shape, generator: generator) * 2 - 1) * bound;
}
