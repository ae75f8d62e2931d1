using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Memory-augmented neural networks (Santoro et al. 2016): an encoder (conv4's body here, where the paper fed raw pixels,
/// so that short CPU budgets learn) feeds a <see cref="MemoryNetwork"/> that sees an episode as a sequence, each example
/// with the previous example's label, and predicts each label before it is shown. Adaptation presents the support set as
/// that sequence (in a fixed scrambled order, <see cref="SequenceOrder"/>, so that a support set grouped by class looks like
/// the shuffled sequences of training), then one more step with the last label alone, filling the memory; prediction steps
/// the controller once per query from that state and reads the memory without writing it, so a query's output depends on
/// the support set and itself alone. Bundle: the memory, controller state and last read are the adapted state predict reads;
/// usage and read weights are carried state. Meta-training runs on TorchSharp only (<c>TorchMann</c>).
/// </summary>
public sealed class Mann : MetaAlgorithm
{
    private const float Golden = 0.618034f;

    private readonly bool[] _encoderOnly;

    /// <summary>Binds the network to an encoder and a class count N.</summary>
    /// <param name="encoder">The encoder whose features the controller reads.</param>
    /// <param name="classes">N, the labels a sequence uses.</param>
    /// <param name="pretrainIterations">
    /// Meta-iterations, at the start, that train the encoder alone by the prototype loss (Prototypical Networks on the same
    /// episodes) before the memory network is trained with it; 0 for none (the paper's end-to-end training).
    /// </param>
    public Mann(IFewShotModel encoder, int classes, int pretrainIterations = 0)
        : base(encoder, TaskKind.Classification)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pretrainIterations);
        Network = new MemoryNetwork(encoder.OutputSize, classes);
        PretrainIterations = pretrainIterations;
        _encoderOnly = [.. MetaParameters.Select((_, i) => i < encoder.Parameters.Count)];
    }

    /// <summary>Meta-iterations at the start that train the encoder alone by the prototype loss.</summary>
    /// <remarks>
    /// Why: learned only through the memory, the conv encoder gave the controller nothing to recall by within a CPU budget
    /// (Omniglot, 50 minutes: queries at chance), while the same network used its memory within 600 iterations on features
    /// that were already separable. A metric-learned encoder gives it such features.
    /// </remarks>
    public int PretrainIterations { get; }

    /// <inheritdoc />
    public override string Name => "mann";

    /// <summary>The controller and memory.</summary>
    public MemoryNetwork Network { get; }

    /// <inheritdoc />
    public override int OutputSize => Network.Classes;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterSpec> MetaParameters => [.. Model.Parameters, .. Network.Parameters];

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => Network.ReadState;

    /// <summary>The state only writing needs (usage, read weights), carried between adaptation steps.</summary>
    public IReadOnlyList<ParameterSpec> CarriedState => [.. Network.State().Skip(Network.ReadState.Count)];

    /// <inheritdoc />
    public override IReadOnlyList<ParameterSpec> StateParameters => [.. MetaParameters, .. Network.State()];

    /// <summary>While pretraining, the encoder alone; then everything.</summary>
    public override IReadOnlyList<bool>? TrainedAt(int iteration) => iteration < PretrainIterations ? _encoderOnly : null;

    /// <inheritdoc />
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        return (StateParameters, [.. metaParameters, .. Network.State().Select(s => s.Initialize(new Random(0)))]);
    }

    /// <summary>The order in which adaptation presents n support examples: by the fractional part of i·0.618034 (float32), ascending.</summary>
    public static int[] SequenceOrder(int n) =>
        [.. Enumerable.Range(0, n).Select(i => (Index: i, Key: (i * Golden) - MathF.Floor(i * Golden))).OrderBy(p => p.Key).ThenBy(p => p.Index).Select(p => p.Index)];

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: MANN meta-trains on TorchSharp (<c>--engine torch</c>).</exception>
    public override TaskGraph BuildMetaStep() =>
        throw new NotSupportedException($"{Name} meta-trains on TorchSharp only (--engine torch); its ONNX graphs adapt and predict");

    /// <inheritdoc />
    /// <remarks>Each of <paramref name="steps"/> presents the support sequence once more (1 is what training does).</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var w = new TaskGraphWriter($"{Name}_adapt_{steps}", Model, Task);
        var g = w.Graph;
        var p = w.Parameters(StateParameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var features = Model.Forward(g, supportX, p);

        // The sequence: the scrambled support with the previous label beside each example, then the last label alone.
        var count = g.Op("Slice", [g.Op("Shape", [features]), g.Int64s(0), g.Int64s(1)]);
        var index = g.Op("Cast", [g.Op("Range", [g.Scalar(0, DataType.Int64), g.Op("Squeeze", [count, g.Int64s(0)]), g.Scalar(1, DataType.Int64)])], Attr.Int("to", (long)DataType.Float));
        var scaled = g.Op("Mul", [index, g.Scalar(Golden)]);
        var order = g.OpN("TopK", [g.Op("Sub", [scaled, g.Op("Floor", [scaled])]), count], 2, Attr.Int("largest", 0), Attr.Int("sorted", 1))[1];
        var classes = g.Op("Range", [g.Scalar(0, DataType.Int64), g.Scalar(Network.Classes, DataType.Int64), g.Scalar(1, DataType.Int64)]);
        var oneHot = g.Op("Cast", [g.Op("Equal", [g.Op("Unsqueeze", [supportY, g.Int64s(1)]), classes])], Attr.Int("to", (long)DataType.Float));
        var xs = g.Op("Concat", [g.Op("Gather", [features, order], Attr.Int("axis", 0)), Zeros(g, Network.InputSize)], Attr.Int("axis", 0));
        var previous = g.Op("Concat", [Zeros(g, Network.Classes), g.Op("Gather", [oneHot, order], Attr.Int("axis", 0))], Attr.Int("axis", 0));

        var state = Network.State().Select(s => p[s.Name]).ToArray();
        for (var step = 0; step < steps; step++)
        {
            state = g.OpN("Scan", [.. state, xs, previous], state.Length, Attr.Graph("body", Body(g)), Attr.Int("num_scan_inputs", 2));
        }

        foreach (var (spec, value) in Network.State().Zip(state))
        {
            w.Output(value, GraphNames.Adapted(spec.Name), spec.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter($"{Name}_predict", Model, Task);
        var p = w.Parameters([.. MetaParameters, .. Network.State().Where(s => Network.ReadState.Contains(s.Name))]);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var logits = Network.Query(w.Graph, Model.Forward(w.Graph, x, p), [.. Network.ReadState.Select(n => p[n])], p);
        w.Output(logits, GraphNames.Output, [GraphNames.QueryCount, Network.Classes]);
        return w.Finish(TaskGraphRole.Predict);
    }

    // One step of the sequence as a Scan body: the state, then x_t [F] and yPrev_t [N] → the next state.
    private GraphProto Body(GraphBuilder outer)
    {
        // A reserved, unique tag names this body's inputs, so that two bodies (two presentations) never share a name.
        var tag = outer.UniqueName("mann_step");
        var body = outer.Subgraph(tag);
        var state = Network.State().Select(s => body.Input($"{tag}.{s.Name}", DataType.Float, [.. s.Shape.Select(d => (Dim)d)])).ToArray();
        var x = body.Input($"{tag}.x", DataType.Float, Network.InputSize);
        var yPrev = body.Input($"{tag}.y_prev", DataType.Float, Network.Classes);
        var parameters = MetaParameters.ToDictionary(s => s.Name, s => s.Name, StringComparer.Ordinal);
        var (next, _) = Network.Step(body, body.Op("Unsqueeze", [x, body.Int64s(0)]), body.Op("Unsqueeze", [yPrev, body.Int64s(0)]), state, parameters);
        foreach (var value in next)
        {
            var output = body.Op("Identity", [value]);
            body.Output(output);
        }

        return body.Graph;
    }

    private static string Zeros(GraphBuilder g, long width) => g.Op("ConstantOfShape", [g.Int64s(1, width)]);
}
