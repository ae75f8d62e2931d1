using FewShot.Bundles;
using System.Runtime.InteropServices;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Runs adaptation on the prepared graphs: S runs of the one-step graph whose outputs feed the next run (two sets of
/// state tensors, written in place in turn, so a step allocates nothing), K steps in one run of adapt_k when asked, or
/// one run of the prototype graph. Stateless between calls, so any number of threads may adapt at once.
/// </summary>
internal sealed class Adapter(BundleGraphs graphs, ModelManifest manifest)
{
    /// <summary>Adapts to a support set; returns the state tensors in <see cref="BundleGraphs.StateNames"/> order.</summary>
    /// <param name="inputs">The support examples, [n, …input shape], already checked.</param>
    /// <param name="count">n.</param>
    /// <param name="labels">Class indices [n] (classification), targets [n, size] (regression), or null (reconstruction).</param>
    /// <param name="classes">The class count N (classification), else 0.</param>
    /// <param name="steps">Inner-loop steps (ignored by prototype bundles).</param>
    /// <param name="unrolled">Run adapt_k once (<paramref name="steps"/> is then K).</param>
    /// <param name="cancellationToken">Checked between steps and by ORT between nodes.</param>
    /// <exception cref="InvalidOperationException">The adapted state holds NaN or infinity (adaptation diverged).</exception>
    public AdaptedTensor[] Run(
        ReadOnlyMemory<float> inputs, int count, OrtTensor? labels, int classes, int steps, bool unrolled, CancellationToken cancellationToken)
    {
        unrolled &= manifest.InnerLoop is not null;
        AdaptGraph?[] used = unrolled ? [graphs.Unrolled] : [graphs.First, graphs.Step];
        foreach (AdaptGraph? graph in used)
        {
            if (graph is not null)
            {
                InputChecks.RequireBatch(graph.Support, count, graph.Entry, "support examples", "supportInputs");
            }
        }

        long[] supportShape = [count, .. manifest.Input.Shape];
        using OrtTensor x = OrtTensor.FromMemory(MemoryMarshal.AsMemory(inputs), supportShape);
        OrtTensor? features = null;
        try
        {
            if (unrolled ? graphs.Unrolled!.ReadsFeatures : graphs.First.ReadsFeatures)
            {
                InputChecks.RequireBatch(graphs.PredictInput, count, BundleNames.PredictEntry, "support examples to compute features", "supportInputs");

                // The frozen body runs once per adaptation here, never once per step.
                features = graphs.Features!.Run([x, .. graphs.FeatureConstants])[0];
            }

            AdaptedTensor[] state = manifest.Output.Kind == OutputKind.Embedding
                ? Prototypes(x, features, labels!, classes, cancellationToken)
                : Steps(x, features, labels, steps, unrolled, cancellationToken);
            foreach (AdaptedTensor tensor in state)
            {
                InputChecks.RequireFiniteState(tensor, manifest.Output.Kind == OutputKind.Embedding ? null : steps);
            }

            return state;
        }
        finally
        {
            features?.Dispose();
        }
    }

    private AdaptedTensor[] Prototypes(OrtTensor x, OrtTensor? features, OrtTensor labels, int classes, CancellationToken cancellationToken)
    {
        long[] shape = [classes, manifest.Output.Size];
        var data = new float[checked(classes * manifest.Output.Size)];
        using var output = OrtTensor.FromArray(data, shape);
        OrtTensor?[] outputs = [output];
        graphs.First.Runner.Run([Support(graphs.First, x, features), labels, .. graphs.First.Constants], outputs, cancellationToken);
        return [new AdaptedTensor(BundleNames.Prototypes, shape, data)];
    }

    private AdaptedTensor[] Steps(OrtTensor x, OrtTensor? features, OrtTensor? labels, int steps, bool unrolled, CancellationToken cancellationToken)
    {
        string[] names = graphs.StateNames;
        StateBuffers current = new(names, graphs.StateShapes);
        if (unrolled)
        {
            using (current)
            {
                AdaptGraph k = graphs.Unrolled!;
                k.Runner.Run(Feeds(k, [], x, features, labels), current.Slots, cancellationToken);
                return current.ToAdapted(names);
            }
        }

        using StateBuffers other = new(names, graphs.StateShapes);
        try
        {
            AdaptGraph first = graphs.First;
            first.Runner.Run(Feeds(first, [], x, features, labels), current.Slots, cancellationToken);

            // Both feed lists are built once; each step then reads one buffer set and writes the other, in turn.
            AdaptGraph step = graphs.Step!;
            OrtTensor[] fromCurrent = Feeds(step, current.Tensors, x, features, labels);
            OrtTensor[] fromOther = Feeds(step, other.Tensors, x, features, labels);
            for (int s = 2; s <= steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool even = s % 2 == 0;
                step.Runner.Run(even ? fromCurrent : fromOther, even ? other.Slots : current.Slots, cancellationToken);
            }

            return (steps % 2 == 0 ? other : current).ToAdapted(names);
        }
        finally
        {
            current.Dispose();
        }
    }

    private static OrtTensor[] Feeds(AdaptGraph graph, OrtTensor[] state, OrtTensor x, OrtTensor? features, OrtTensor? labels) =>
        [.. state, Support(graph, x, features), .. graph.ReadsLabels ? [labels!] : Array.Empty<OrtTensor>(), .. graph.Constants];

    private static OrtTensor Support(AdaptGraph graph, OrtTensor x, OrtTensor? features) => graph.ReadsFeatures ? features! : x;

    /// <summary>One set of state tensors over managed arrays, which runs write in place and which become the adapted model.</summary>
    private sealed class StateBuffers : IDisposable
    {
        private readonly float[][] _data;

        public StateBuffers(string[] names, long[][] shapes)
        {
            _data = new float[names.Length][];
            Tensors = new OrtTensor[names.Length];
            Slots = new OrtTensor?[names.Length];
            try
            {
                for (int i = 0; i < names.Length; i++)
                {
                    _data[i] = new float[checked((int)shapes[i].Aggregate(1L, (p, d) => p * d))];
                    Tensors[i] = OrtTensor.FromArray(_data[i], shapes[i]);
                    Slots[i] = Tensors[i];
                }
            }
            catch
            {
                Dispose();
                throw;
            }

            Shapes = shapes;
        }

        public OrtTensor[] Tensors { get; }

        public OrtTensor?[] Slots { get; }

        private long[][] Shapes { get; }

        public AdaptedTensor[] ToAdapted(string[] names) =>
            [.. names.Select((name, i) => new AdaptedTensor(name, Shapes[i], _data[i]))];

        public void Dispose()
        {
            foreach (OrtTensor? tensor in Tensors)
            {
                tensor?.Dispose();
            }
        }
    }
}
