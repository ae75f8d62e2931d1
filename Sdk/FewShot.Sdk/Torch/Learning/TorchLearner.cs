using FewShot.Sdk.Algorithms;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>What one task contributes to a meta-iteration: its query loss, its metric and its meta-gradient.</summary>
/// <param name="Loss">The query loss after adaptation.</param>
/// <param name="Metric">Accuracy for classification, otherwise the loss.</param>
/// <param name="Gradients">One tensor per meta-parameter, in <see cref="MetaAlgorithm.MetaParameters"/> order; in the caller's dispose scope.</param>
public readonly record struct TorchTaskStep(double Loss, double Metric, IReadOnlyList<torch.Tensor> Gradients);

/// <summary>
/// The TorchSharp lowering of a <see cref="MetaAlgorithm"/>'s meta-training step: the same inner loop, loss and
/// meta-update its ONNX meta-step graph computes, in libtorch with autograd. Stateless and thread-safe.
/// </summary>
public abstract class TorchLearner
{
    /// <summary>Binds the lowering to its algorithm.</summary>
    protected TorchLearner(MetaAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        Algorithm = algorithm;
    }

    /// <summary>The algorithm this lowers.</summary>
    public MetaAlgorithm Algorithm { get; }

    /// <summary>
    /// Runs one task: adapts from <paramref name="meta"/> (leaf tensors that require gradients, one per
    /// <see cref="MetaAlgorithm.MetaParameters"/> entry) and returns the query loss, metric and meta-gradient.
    /// Every tensor it creates lands in the caller's dispose scope.
    /// </summary>
    public abstract TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task);

    /// <summary>
    /// Runs one task at 0-based meta-iteration <paramref name="iteration"/>: the same as
    /// <see cref="MetaStep(IReadOnlyList{torch.Tensor}, TorchTask)"/> except for staged algorithms, whose step depends on the stage.
    /// </summary>
    public virtual TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task, int iteration) => MetaStep(meta, task);

    /// <summary>True when <see cref="MetaStep(IReadOnlyList{torch.Tensor}, TorchTaskBatch)"/> runs a meta-batch as one pass.</summary>
    public virtual bool CanBatch => false;

    /// <summary>
    /// True when running a meta-batch as one pass is also the faster way with libtorch's current thread count
    /// (<see cref="TorchMetaBatch"/> then does); by default whenever it <see cref="CanBatch"/>.
    /// </summary>
    public virtual bool PrefersBatch => CanBatch;

    /// <summary>
    /// True when a meta-batch's tasks run faster side by side, on as many threads as libtorch has, each with one
    /// intra-op thread (<see cref="TorchMetaBatch"/> then does on the CPU): a task must be large enough to pay for the
    /// hand-off to a thread and a garbage collection each meta-batch. The gradient learners on conv4 do (measured);
    /// an MLP's sinusoid task is too small (8,000 MAML iterations at 2 threads took 10.5–11.6 s side by side against
    /// 8.0–8.6 s as one pass); ProtoNets is left out: four 20-way 5-shot episodes side by side ran 4.61 against 4.36–4.43
    /// episodes/s for 1.8–1.9× the peak RSS (1.84–1.97 against 1.05 GB), and a 60-way episode split into its support and
    /// query halves, one per thread, ran slower (2.1–3.0 against 3.2–3.3 episodes/s). False by default.
    /// </summary>
    public virtual bool SplitsAcrossThreads => false;

    /// <summary>
    /// Which kind of computation the next meta-steps run: a new value where they run other libtorch operations than
    /// before (MAML++'s first-order stage against its second-order one). <see cref="TorchMetaBatch"/> runs the first
    /// meta-batch of each kind with its threads in turn. 0 by default.
    /// </summary>
    public virtual int Regime => 0;

    /// <summary>
    /// Runs a whole meta-batch at once and returns the mean query loss, mean metric and mean meta-gradient over its
    /// tasks: what averaging <see cref="MetaStep(IReadOnlyList{torch.Tensor}, TorchTask)"/> over them gives.
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="CanBatch"/> is false.</exception>
    public virtual TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTaskBatch batch) =>
        throw new NotSupportedException($"{Algorithm.Name} on {Algorithm.Model.Name} runs its tasks one at a time");

    /// <summary>
    /// Runs a whole meta-batch at 0-based meta-iteration <paramref name="iteration"/>: the same as
    /// <see cref="MetaStep(IReadOnlyList{torch.Tensor}, TorchTaskBatch)"/> except for staged algorithms.
    /// </summary>
    public virtual TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTaskBatch batch, int iteration) => MetaStep(meta, batch);
}
