using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="Mann"/>: the episode's support set, shuffled, is a sequence in which each example
/// comes with the previous one's label and every step predicts its own label before seeing it (the paper's loss); a last step
/// shows the last label alone; then every query is predicted read-only from the final state, as the bundle does. The loss is
/// the mean cross-entropy of the sequence plus that of the queries; the metric is the queries' accuracy.
/// </summary>
public sealed class TorchMann : TorchLearner
{
    private readonly Mann _algorithm;
    private readonly ITorchModel _encoder;
    private readonly TorchMemoryNetwork _network;
    private readonly string[] _names;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchMann(Mann algorithm)
        : base(algorithm)
    {
        _algorithm = algorithm;
        _encoder = TorchModels.Lower(algorithm.Model);
        _network = new TorchMemoryNetwork(algorithm.Network);
        _names = [.. algorithm.MetaParameters.Select(p => p.Name)];
    }

    /// <summary>
    /// Presents a support sequence: features [n, F] and labels [n] in the given <paramref name="order"/>, then the last label
    /// alone. Returns the final state (batch 1) and the logits each sequence step predicted, [n, N] in presentation order.
    /// </summary>
    public (torch.Tensor[] State, torch.Tensor Logits) Present(IReadOnlyList<torch.Tensor> meta, torch.Tensor features, torch.Tensor labels, IReadOnlyList<int> order)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(order);
        var index = torch.tensor(order.Select(i => (long)i).ToArray(), device: features.device);
        var (state, logits) = PresentEach(meta, features.index_select(0, index).unsqueeze(0), labels.index_select(0, index).unsqueeze(0));
        return (state, logits.squeeze(0));
    }

    /// <summary>
    /// Presents B sequences side by side, already in presentation order: features [B, n, F] and labels [B, n], then each
    /// sequence's last label alone. Returns the final state (batch B) and each step's logits, [B, n, N].
    /// </summary>
    public (torch.Tensor[] State, torch.Tensor Logits) PresentEach(IReadOnlyList<torch.Tensor> meta, torch.Tensor features, torch.Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        var p = Named(meta);
        var (b, n, classes) = (features.shape[0], features.shape[1], _algorithm.Network.Classes);
        var state = _network.InitialState(b, features.device);
        var previous = torch.zeros([b, classes], device: features.device);
        var logits = new torch.Tensor[n];
        for (var t = 0; t < n; t++)
        {
            (state, logits[t]) = _network.Step(features.select(1, t), previous, state, p);
            previous = torch.nn.functional.one_hot(labels.select(1, t), classes).to(torch.float32);
        }

        (state, _) = _network.Step(torch.zeros([b, _algorithm.Network.InputSize], device: features.device), previous, state, p);
        return (state, torch.stack(logits, 1));
    }

    /// <summary>The query logits [m, N] from a presented state, read-only.</summary>
    public torch.Tensor Query(IReadOnlyList<torch.Tensor> meta, IReadOnlyList<torch.Tensor> state, torch.Tensor queryFeatures) =>
        _network.Query(queryFeatures, state, Named(meta));

    /// <summary>The encoder's features of a batch of examples.</summary>
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> meta, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return _encoder.Forward(meta.Take(_algorithm.Model.Parameters.Count).ToArray(), x);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var labels = task.SupportY ?? throw new ArgumentException("MANN needs labelled support and query sets", nameof(task));
        var order = ShuffledOrder(task);
        var (state, sequence) = Present(meta, Features(meta, task.SupportX), labels, order);
        var ordered = labels.index_select(0, torch.tensor(order.Select(i => (long)i).ToArray(), device: labels.device));
        var queries = Query(meta, state, Features(meta, task.QueryX));
        var queryLoss = TorchLosses.Loss(TaskKind.Classification, queries, task.QueryY, task.QueryX);
        var loss = torch.nn.functional.cross_entropy(sequence, ordered) + queryLoss;
        var metric = TorchLosses.Metric(TaskKind.Classification, queries, task.QueryY, queryLoss);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }

    /// <inheritdoc />
    /// <remarks>Before <see cref="Mann.PretrainIterations"/>: the prototype loss, which trains the encoder alone.</remarks>
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task, int iteration)
    {
        ArgumentNullException.ThrowIfNull(task);
        return iteration < _algorithm.PretrainIterations
            ? Pretrain(meta, [(task.SupportX, task.SupportY, task.QueryX, task.QueryY)])
            : MetaStep(meta, task);
    }

    /// <inheritdoc />
    /// <remarks>Before <see cref="Mann.PretrainIterations"/>: the prototype loss, which trains the encoder alone.</remarks>
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTaskBatch batch, int iteration)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return iteration < _algorithm.PretrainIterations
            ? Pretrain(meta, [.. Enumerable.Range(0, (int)batch.Count).Select(i => (batch.SupportX[i], batch.SupportY?[i], batch.QueryX[i], batch.QueryY?[i]))])
            : MetaStep(meta, batch);
    }

    // Prototypical Networks' loss on the encoder's features, averaged over the tasks; the memory network gets zero gradients.
    private TorchTaskStep Pretrain(IReadOnlyList<torch.Tensor> meta, IReadOnlyList<(torch.Tensor SupportX, torch.Tensor? SupportY, torch.Tensor QueryX, torch.Tensor? QueryY)> tasks)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var (losses, metric) = (new List<torch.Tensor>(), 0.0);
        foreach (var (supportX, supportY, queryX, queryY) in tasks)
        {
            if (supportY is null || queryY is null)
            {
                throw new ArgumentException("MANN needs labelled support and query sets", nameof(tasks));
            }

            var (loss, taskMetric) = TorchPrototypes.QueryLoss(Features(meta, supportX), supportY, _algorithm.Network.Classes, Features(meta, queryX), queryY, queryX);
            losses.Add(loss);
            metric += taskMetric / tasks.Count;
        }

        var mean = torch.stack(losses).mean();
        var encoder = _algorithm.Model.Parameters.Count;
        var gradients = TorchGradients.Of(mean, meta.Take(encoder).ToArray());
        return new TorchTaskStep(mean.item<float>(), metric, [.. gradients, .. meta.Skip(encoder).Select(m => torch.zeros_like(m))]);
    }

    /// <summary>
    /// A shuffled order of the task's support set, drawn from a seed made of its own pixels: the same task always gets the same
    /// order (so training stays reproducible), different tasks get different ones (so no position predicts a label).
    /// </summary>
    public static int[] ShuffledOrder(TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ShuffledOrder(task.SupportX);
    }

    /// <summary>The order <see cref="ShuffledOrder(TorchTask)"/> gives a support set [n, …].</summary>
    public static int[] ShuffledOrder(torch.Tensor supportX)
    {
        ArgumentNullException.ThrowIfNull(supportX);
        using var scope = torch.NewDisposeScope();

        // Summed here in a fixed order, so that a task alone and the same task inside a stacked batch get the same seed.
        var sum = 0f;
        foreach (var value in supportX.contiguous().data<float>())
        {
            sum += value;
        }

        var order = Enumerable.Range(0, (int)supportX.shape[0]).ToArray();
        new Random(BitConverter.SingleToInt32Bits(sum)).Shuffle(order);
        return order;
    }

    /// <inheritdoc />
    /// <remarks>The sequences of a meta-batch step together, a batch of B states: B times fewer of the small sequential steps.</remarks>
    public override bool CanBatch => true;

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(batch);
        var labels = batch.SupportY ?? throw new ArgumentException("MANN needs labelled support and query sets", nameof(batch));
        var (b, n, classes) = (batch.Count, batch.SupportX.shape[1], _algorithm.Network.Classes);

        // The encoder runs task by task: its normalization may take statistics over a batch, which are a task's own.
        var tasks = Enumerable.Range(0, (int)b).ToArray();
        var support = torch.stack([.. tasks.Select(i => Features(meta, batch.SupportX[i]))]);
        var queries = torch.stack([.. tasks.Select(i => Features(meta, batch.QueryX[i]))]);
        var orders = torch.tensor(tasks.SelectMany(i => ShuffledOrder(batch.SupportX[i]).Select(o => (long)o)).ToArray(), [b, n], device: labels.device);
        var ys = labels.gather(1, orders);
        var (state, logits) = PresentEach(meta, support.gather(1, orders.unsqueeze(2).expand(b, n, support.shape[2])), ys);
        var sequence = logits.reshape(-1, classes);
        var queryLogits = _network.QueryEach(queries, state, Named(meta)).reshape(-1, classes);
        var queryLabels = batch.QueryY!.reshape(-1);
        var queryLoss = TorchLosses.Loss(TaskKind.Classification, queryLogits, queryLabels, batch.QueryX);

        // Every task has as many sequence steps and queries as the others, so these means over all are means of task means.
        var loss = torch.nn.functional.cross_entropy(sequence, ys.reshape(-1)) + queryLoss;
        var metric = TorchLosses.Metric(TaskKind.Classification, queryLogits, queryLabels, queryLoss);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }

    /// <summary>
    /// The paper's measure: accuracy of the sequence's predictions by instance, i.e. at the k-th presentation of a class
    /// (k = 1 … shots), averaged over <paramref name="episodes"/> shuffled support sequences.
    /// </summary>
    /// <returns>Accuracy for instance 1 … shots (index 0 is the first instance).</returns>
    public double[] InstanceAccuracy(float[][] values, ITaskSource tasks, int episodes, int seed)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var meta = _algorithm.MetaParameters.Select((s, i) => torch.tensor(values[i], s.Shape)).ToArray();
        double[] correct = [], seen = [];
        for (var e = 0; e < episodes; e++)
        {
            using var episodeScope = torch.NewDisposeScope();
            var data = tasks.Sample(SeedSequence.For(seed, SeedSequence.Purpose.Evaluation, e));
            var task = new TorchTask(data);
            var order = ShuffledOrder(task);
            var (_, logits) = Present(meta, Features(meta, task.SupportX), task.SupportY!, order);
            var predicted = logits.argmax(1).data<long>().ToArray();
            var counts = new Dictionary<long, int>();
            for (var t = 0; t < order.Length; t++)
            {
                var label = data.SupportLabels![order[t]];
                var instance = counts[label] = counts.GetValueOrDefault(label) + 1;
                if (instance > correct.Length)
                {
                    Array.Resize(ref correct, instance);
                    Array.Resize(ref seen, instance);
                }

                seen[instance - 1]++;
                correct[instance - 1] += predicted[t] == label ? 1 : 0;
            }
        }

        return [.. correct.Select((c, i) => c / seen[i])];
    }

    private Dictionary<string, torch.Tensor> Named(IReadOnlyList<torch.Tensor> meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return _names.Select((n, i) => (n, meta[i])).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
    }
}
