using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using FewShot.Bundles;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Runs adaptation on the prepared graphs: S runs of the one-step graph whose outputs feed the next run (two sets of
/// state tensors bound once to two <see cref="OrtIoBinding"/>s, written in place in turn, so a step allocates nothing),
/// then statistics.onnx once where the bundle has it; K steps in one run of adapt_k when asked; or one run of the
/// prototype graph. Stateless between calls, so any number of threads may adapt at once.
/// </summary>
internal sealed class Adapter(BundleGraphs graphs, ModelManifest manifest, bool releaseMemory)
{
    private const string Meaning =
        "The bundle's adapt graph is corrupt or does not fit its manifest, or the machine ran out of memory for this support set.";

    /// <summary>Adapts to a support set; returns the state tensors in <see cref="BundleGraphs.StateNames"/> order.</summary>
    /// <param name="support">The support examples, already checked, and their labels (class indices, targets) or none.</param>
    /// <param name="classes">The class count N (classification), else 0.</param>
    /// <param name="steps">Inner-loop steps (ignored by prototype bundles).</param>
    /// <param name="unrolled">Run adapt_k once (<paramref name="steps"/> is then K).</param>
    /// <param name="cancellationToken">Checked between steps and by ORT between nodes.</param>
    /// <exception cref="NonFiniteResultException">A step produced NaN or infinity (adaptation diverged); the message names the step.</exception>
    /// <exception cref="GraphRunException">ONNX Runtime failed a run.</exception>
    public AdaptedTensor[] Run(SupportSet support, int classes, int steps, bool unrolled, CancellationToken cancellationToken)
    {
        int count = support.Count;
        unrolled &= manifest.InnerLoop is not null;
        AdaptGraph?[] used = unrolled ? [graphs.Unrolled] : [graphs.First, graphs.Step, graphs.Statistics];
        foreach (AdaptGraph? graph in used)
        {
            if (graph is not null)
            {
                InputChecks.RequireBatch(graph.Support, count, graph.Entry, "support examples", "supportInputs");
            }
        }

        using var run = new GraphRun(cancellationToken, releaseMemory);
        // A batch size fixed by the graph (RequireBatch above) leaves no room for shares.
        int shares = unrolled ? 1 : Shares.For(count, graphs.AdaptationShares);
        if (shares > 1 && graphs.First.Support.Dimensions is [< 0, ..] && graphs.Step!.Support.Dimensions is [< 0, ..])
        {
            return StepsInShares(run, support, shares, steps);
        }

        using OrtValue x = support.Inputs(0, count);
        using OrtValue? labels = support.Labels(0, count);
        IDisposableReadOnlyCollection<OrtValue>? features = null;
        try
        {
            if (unrolled ? graphs.Unrolled!.ReadsFeatures : graphs.First.ReadsFeatures)
            {
                InputChecks.RequireBatch(graphs.PredictInput, count, BundleNames.PredictEntry, "support examples to compute features", "supportInputs");

                // The frozen body runs once per adaptation here, never once per step.
                try
                {
                    features = graphs.Features!.Run(run.Options, [x, .. graphs.FeatureConstants]);
                }
                catch (OnnxRuntimeException e)
                {
                    throw run.Failure(e, BundleNames.PredictEntry, "support features", "The bundle's predict graph is corrupt or does not fit its manifest.");
                }
            }

            OrtValue supportInput = features?[0] ?? x;
            return manifest.Output.Kind == OutputKind.Embedding
                ? Prototypes(run, x, supportInput, labels!, classes)
                : Steps(run, x, supportInput, labels, steps, unrolled);
        }
        finally
        {
            features?.Dispose();
        }
    }

    // Separable steps (BundleGraphs.AdaptationShares): each step runs on consecutive shares of the support side by side,
    // one thread each, and the state becomes the mean of the shares' results weighted by their sizes, which is the
    // step on the whole set (the loss is the mean of the examples' losses, each independent of the others).
    private AdaptedTensor[] StepsInShares(GraphRun run, SupportSet support, int shares, int steps)
    {
        string[] names = graphs.StepState.Names;
        long[][] shapes = graphs.StepState.Shapes;
        var inputs = new OrtValue[shares];
        var labels = new OrtValue?[shares];
        var results = new StateBuffers?[shares];
        var bindings = new OrtIoBinding?[shares];
        var weights = new float[shares];
        StateBuffers? current = null;
        long[] index = [0];
        using OrtValue? stepIndex = graphs.First.ReadsStep ? OrtValue.CreateTensorValueFromMemory(index, []) : null;
        try
        {
            (int Start, int Length)[] ranges = Shares.Ranges(support.Count, shares);
            for (int h = 0; h < shares; h++)
            {
                inputs[h] = support.Inputs(ranges[h].Start, ranges[h].Length);
                labels[h] = support.Labels(ranges[h].Start, ranges[h].Length);
                results[h] = new StateBuffers(shapes);
                weights[h] = (float)ranges[h].Length / support.Count;
            }

            current = new StateBuffers(shapes);

            // Each share's feeds, made once: the first step reads θ₀; the later ones read the combined state, in place,
            // through a binding per share, so that their runs allocate nothing.
            OrtValue[][] first = [.. Enumerable.Range(0, shares).Select(h => Feeds(graphs.First, [], inputs[h], inputs[h], labels[h], stepIndex))];
            AdaptGraph later = graphs.Step!;
            for (int h = 0; h < shares && steps > 1; h++)
            {
                bindings[h] = Bind(later, current.Values, results[h]!.Values, inputs[h], inputs[h], labels[h], stepIndex);
            }

            // One body for every step, reading the step from this local.
            int step = 1;
            using var sideBySide = new SideBySideRunner(shares, h =>
            {
                if (step == 1)
                {
                    RunStep(run, graphs.First, first[h], results[h]!.Values, step);
                }
                else
                {
                    RunBoundStep(run, later, bindings[h]!, stepIndex, step);
                }
            });
            for (; step <= steps; step++)
            {
                run.ThrowIfCancelled();
                index[0] = step - 1;
                sideBySide.Run();
                current.SetWeightedSum(results!, weights);

                // Checked every step, so that a divergence names the step where it began.
                current.RequireFinite(names, step);
            }

            return current.ToAdapted(names);
        }
        finally
        {
            current?.Dispose();
            for (int h = 0; h < shares; h++)
            {
                bindings[h]?.Dispose();
                inputs[h]?.Dispose();
                labels[h]?.Dispose();
                results[h]?.Dispose();
            }
        }
    }

    private AdaptedTensor[] Prototypes(GraphRun run, OrtValue x, OrtValue features, OrtValue labels, int classes)
    {
        // One row per class, or one per support example with its class (graphs.PerExamplePrototypes).
        int rows = graphs.PerExamplePrototypes ? checked((int)x.GetTensorTypeAndShape().Shape[0]) : classes;
        long[] shape = [rows, manifest.Output.Size];
        var data = new float[checked(rows * manifest.Output.Size)];
        var rowLabels = new float[graphs.PerExamplePrototypes ? rows : 0];
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(data, shape);
        using OrtValue labelOutput = OrtValue.CreateTensorValueFromMemory(rowLabels, [rowLabels.Length]);
        AdaptGraph first = graphs.First;
        OrtValue[] outputs = graphs.PerExamplePrototypes ? [output, labelOutput] : [output];
        RunOnce(run, first, Feeds(first, [], x, features, labels, null), outputs, "computing the prototypes", last: true);
        if (!InputChecks.AllFinite(data))
        {
            throw InputChecks.Diverged(BundleNames.Prototypes, "computing the prototypes");
        }

        return graphs.PerExamplePrototypes
            ? [new AdaptedTensor(BundleNames.Prototypes, shape, data), new AdaptedTensor(BundleNames.PrototypeLabels, [rows], rowLabels)]
            : [new AdaptedTensor(BundleNames.Prototypes, shape, data)];
    }

    private AdaptedTensor[] Steps(GraphRun run, OrtValue x, OrtValue features, OrtValue? labels, int steps, bool unrolled)
    {
        if (unrolled)
        {
            string[] all = graphs.StateNames;
            using StateBuffers state = new(graphs.StateShapes);
            AdaptGraph k = graphs.Unrolled!;
            RunOnce(run, k, Feeds(k, [], x, features, labels, null), state.Values, $"{steps} unrolled steps", last: true);
            state.RequireFinite(all, stage: $"{steps} unrolled steps");
            return state.ToAdapted(all);
        }

        string[] names = graphs.StepState.Names;
        bool lastRunIsAStep = graphs.Statistics is null;
        using StateBuffers current = new(graphs.StepState.Shapes);

        // The step index, for graphs whose step depends on it: one pinned scalar, rewritten in place before each run.
        AdaptGraph first = graphs.First;
        long[] index = [0];
        using OrtValue? stepIndex = first.ReadsStep ? OrtValue.CreateTensorValueFromMemory(index, []) : null;
        RunOnce(run, first, Feeds(first, [], x, features, labels, stepIndex), current.Values, "adapt step 1", last: steps == 1 && lastRunIsAStep);
        current.RequireFinite(names, step: 1);
        if (steps == 1)
        {
            return WithStatistics(run, current, names, x, features);
        }

        // Each binding reads one buffer set and writes the other; steps alternate between them without allocating.
        using StateBuffers other = new(graphs.StepState.Shapes);
        AdaptGraph step = graphs.Step!;
        using OrtIoBinding forward = Bind(step, current.Values, other.Values, x, features, labels, stepIndex);
        using OrtIoBinding backward = Bind(step, other.Values, current.Values, x, features, labels, stepIndex);
        int s = 2;
        try
        {
            for (; s <= steps; s++)
            {
                run.ThrowIfCancelled();
                bool even = s % 2 == 0;
                OrtIoBinding binding = even ? forward : backward;
                if (stepIndex is not null)
                {
                    // Bound again each step: ONNX Runtime copies a bound input to the device that reads it when it is bound.
                    index[0] = s - 1;
                    binding.BindInput(BundleNames.Step, stepIndex);
                }

                step.Run.Session.RunWithBinding(s == steps && lastRunIsAStep ? run.FinalOptions : run.Options, binding);

                // Checked every step, so that a divergence names the step where it began.
                (even ? other : current).RequireFinite(names, s);
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, step.Entry, $"adapt step {s}", Meaning);
        }

        return WithStatistics(run, steps % 2 == 0 ? other : current, names, x, features);
    }

    // The steps' state, and, in a bundle with statistics.onnx, what it computes from the last step's state, once: in StateNames order.
    private AdaptedTensor[] WithStatistics(GraphRun run, StateBuffers last, string[] names, OrtValue x, OrtValue features)
    {
        AdaptedTensor[] stepped = last.ToAdapted(names);
        if (graphs.Statistics is not { } statistics)
        {
            return stepped;
        }

        StateSlice slice = graphs.StatisticsState;
        using StateBuffers computed = new(slice.Shapes);
        OrtValue[] read = [.. graphs.StatisticsReads.Select(i => last.Values[i])];
        RunOnce(run, statistics, Feeds(statistics, read, x, features, null, null), computed.Values, "the support statistics", last: true);
        computed.RequireFinite(slice.Names, stage: "the support statistics");
        var state = new AdaptedTensor[graphs.StateNames.Length];
        Place(state, graphs.StepState, stepped);
        Place(state, slice, computed.ToAdapted(slice.Names));
        return state;

        static void Place(AdaptedTensor[] state, StateSlice slice, AdaptedTensor[] tensors)
        {
            for (int i = 0; i < tensors.Length; i++)
            {
                state[slice.Positions[i]] = tensors[i];
            }
        }
    }

    // A step of a share; the stage's name is written only when the run fails.
    private static void RunStep(GraphRun run, AdaptGraph graph, OrtValue[] inputs, OrtValue[] outputs, int step)
    {
        try
        {
            graph.Run.Run(run.Options, inputs, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, graph.Entry, $"adapt step {step}", Meaning);
        }
    }

    // A later step of a share, through its binding; the step index is bound again, as in Steps.
    private static void RunBoundStep(GraphRun run, AdaptGraph graph, OrtIoBinding binding, OrtValue? stepIndex, int step)
    {
        try
        {
            if (stepIndex is not null)
            {
                binding.BindInput(BundleNames.Step, stepIndex);
            }

            graph.Run.Session.RunWithBinding(run.Options, binding);
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, graph.Entry, $"adapt step {step}", Meaning);
        }
    }

    private static void RunOnce(GraphRun run, AdaptGraph graph, OrtValue[] inputs, OrtValue[] outputs, string stage, bool last)
    {
        try
        {
            graph.Run.Run(last ? run.FinalOptions : run.Options, inputs, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, graph.Entry, stage, Meaning);
        }
    }

    private static OrtIoBinding Bind(AdaptGraph graph, OrtValue[] from, OrtValue[] to, OrtValue x, OrtValue features, OrtValue? labels, OrtValue? step)
    {
        OrtIoBinding binding = graph.Run.Session.CreateIoBinding();
        try
        {
            OrtValue[] inputs = Feeds(graph, from, x, features, labels, step);
            for (int i = 0; i < inputs.Length; i++)
            {
                binding.BindInput(graph.Run.Inputs[i], inputs[i]);
            }

            for (int i = 0; i < to.Length; i++)
            {
                binding.BindOutput(graph.Run.Outputs[i], to[i]);
            }

            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

    private static OrtValue[] Feeds(AdaptGraph graph, OrtValue[] state, OrtValue x, OrtValue features, OrtValue? labels, OrtValue? step) =>
        [.. state, Support(graph, x, features), .. graph.ReadsLabels ? [labels!] : Array.Empty<OrtValue>(), .. graph.ReadsStep ? [step!] : Array.Empty<OrtValue>(), .. graph.Constants];

    // adapt_k may read support_x while the one-step graph reads support_features: each graph gets what it declares.
    private static OrtValue Support(AdaptGraph graph, OrtValue x, OrtValue features) => graph.ReadsFeatures ? features : x;

    /// <summary>One set of state tensors over managed arrays, which runs write in place and which become the adapted model.</summary>
    private sealed class StateBuffers : IDisposable
    {
        private readonly float[][] _data;
        private readonly long[][] _shapes;

        public StateBuffers(long[][] shapes)
        {
            _shapes = shapes;
            _data = new float[shapes.Length][];
            Values = new OrtValue[shapes.Length];
            try
            {
                for (int i = 0; i < shapes.Length; i++)
                {
                    _data[i] = new float[checked((int)shapes[i].Aggregate(1L, (p, d) => p * d))];
                    Values[i] = OrtValue.CreateTensorValueFromMemory(_data[i], shapes[i]);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public OrtValue[] Values { get; }

        /// <summary>Overwrites every tensor with Σ weights[h] · parts[h]'s tensor.</summary>
        public void SetWeightedSum(StateBuffers[] parts, float[] weights)
        {
            for (int i = 0; i < _data.Length; i++)
            {
                float[] sum = _data[i];
                int vectorEnd = sum.Length - (sum.Length % Vector<float>.Count);
                for (int h = 0; h < parts.Length; h++)
                {
                    float[] part = parts[h]._data[i];
                    float weight = weights[h];
                    int j = 0;
                    for (; j < vectorEnd; j += Vector<float>.Count)
                    {
                        Vector<float> weighted = new Vector<float>(part, j) * weight;
                        (h == 0 ? weighted : weighted + new Vector<float>(sum, j)).CopyTo(sum, j);
                    }

                    for (; j < sum.Length; j++)
                    {
                        sum[j] = (h == 0 ? 0 : sum[j]) + (part[j] * weight);
                    }
                }
            }
        }

        /// <summary>Throws <see cref="NonFiniteResultException"/> naming the first tensor that holds NaN or infinity.</summary>
        /// <param name="names">The tensors' names.</param>
        /// <param name="step">The step that wrote them; a number, so that the check allocates nothing unless it fails.</param>
        /// <param name="stage">Or the stage's name, when not a step.</param>
        public void RequireFinite(string[] names, int step = 0, string? stage = null)
        {
            for (int i = 0; i < _data.Length; i++)
            {
                if (!InputChecks.AllFinite(_data[i]))
                {
                    throw InputChecks.Diverged(names[i], stage ?? $"adapt step {step}");
                }
            }
        }

        public AdaptedTensor[] ToAdapted(string[] names) =>
            [.. names.Select((name, i) => new AdaptedTensor(name, _shapes[i], _data[i]))];

        public void Dispose()
        {
            foreach (OrtValue? value in Values)
            {
                value?.Dispose();
            }
        }
    }
}
