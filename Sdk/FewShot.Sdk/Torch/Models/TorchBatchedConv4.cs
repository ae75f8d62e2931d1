using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// <see cref="Conv4"/> over T tasks at once: the tasks' feature maps side by side as channel groups of one grouped
/// convolution per block ([N, T·C, H, W]), so that every task keeps its own weights and its own normalization
/// statistics. One pass of T·C-channel kernels parallelizes better over libtorch's threads than T passes of C
/// channels (second-order MAML, 5-way 1-shot, 2 threads: benchmarks/README.md, "Meta-training").
/// </summary>
public sealed class TorchBatchedConv4 : ITorchBatchedSupportNormalizedModel
{
    private const int Blocks = 4;
    private readonly Conv4 _model;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchBatchedConv4(Conv4 model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        HeadIndices = model.HasHead ? [4 * Blocks, (4 * Blocks) + 1] : [];
    }

    /// <inheritdoc />
    public IReadOnlyList<int> HeadIndices { get; }

    /// <inheritdoc />
    /// <remarks>
    /// conv4's per-task kernels already fill one thread: alternated runs of `fewshot bench train` (2026-12-04, meta-batch
    /// 4) gave 2 threads +2 to +15 % (MAML 1 / 5 steps, FOMAML 5 steps) and 1 thread −7 to +3 %.
    /// </remarks>
    public bool PaysOnOneThread => false;

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        var features = Features(parameters, x);
        return _model.HasHead ? Head(parameters, features) : features;
    }

    /// <inheritdoc />
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) =>
        Grouped(parameters, x, (body, grouped, tasks) => TorchConv4.Body(_model, body, grouped, tasks));

    /// <inheritdoc />
    public torch.Tensor ForwardOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        var features = Grouped(parameters, x, (body, grouped, tasks) => TorchConv4.Body(_model, body, grouped, tasks, support: true));
        return _model.HasHead ? Head(parameters, features) : features;
    }

    /// <inheritdoc />
    public torch.Tensor[] SupportStatisticsAt(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        // Per channel of [N, T·C, H, W] is per task and channel: each task's own statistics, [T·C] → [T, C].
        var recorded = new List<torch.Tensor>(2 * Blocks);
        var tasks = x.shape[0];
        Grouped(parameters, x, (body, grouped, t) => TorchConv4.Body(_model, body, grouped, t, support: true, recorded: recorded), features: false);
        return [.. recorded.Select(s => s.reshape(tasks, -1))];
    }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, IReadOnlyList<torch.Tensor> statistics, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var flat = statistics.Select(s => s.flatten()).ToArray();
        var features = Grouped(parameters, x, (body, grouped, tasks) => TorchConv4.Body(_model, body, grouped, tasks, flat));
        return _model.HasHead ? Head(parameters, features) : features;
    }

    // The tasks' maps side by side as channel groups, the body run over them, and (features) its output back to [T, N, F].
    private static torch.Tensor Grouped(
        IReadOnlyList<torch.Tensor> parameters, torch.Tensor x, Func<torch.Tensor[], torch.Tensor, long, torch.Tensor> run, bool features = true)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        var (tasks, examples) = (x.shape[0], x.shape[1]);

        // [T, N, c, H, W] → [N, T·c, H, W]: task t's channels are t·c … t·c + c − 1, as its weights' rows are below.
        var grouped = x.transpose(0, 1).reshape(examples, tasks * x.shape[2], x.shape[3], x.shape[4]);
        var body = Enumerable.Range(0, 4 * Blocks).Select(i => parameters[i].flatten(0, 1)).ToArray();
        var output = run(body, grouped, tasks);
        return features ? output.reshape(examples, tasks, -1).transpose(0, 1) : output;
    }

    /// <inheritdoc />
    public torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!_model.HasHead)
        {
            throw new InvalidOperationException("this conv4 is an encoder with no head");
        }

        return TorchBatchedModels.Linear(features, parameters[HeadIndices[0]], parameters[HeadIndices[1]]);
    }
}
