using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Cli.Benchmarks;

/// <summary>
/// Times conv4 (64 channels, 28×28, 5-way head) on a 5-way 1-shot task with 15 queries per class: the forward pass
/// over the 80 images, forward and backward (loss and all parameter gradients), and one second-order MAML
/// meta-gradient (one inner step on the 5 support images, query loss on the 75 queries, differentiated through the step).
/// benchmarks/conv4_torch.py times the same three computations in PyTorch.
/// </summary>
internal static class Conv4Benchmark
{
    public const int Ways = 5;
    public const int Shots = 1;
    public const int Queries = 15;

    public static IReadOnlyList<Timing> Run(int threads, int warmup, int runs, string? profilePrefix = null)
    {
        var model = new Conv4([1, 28, 28], Ways, normalization: FeatureNormalization.Batch);
        var random = new Random(0);
        var parameters = model.Parameters.Select(p => p.Initialize(random)).ToArray();
        var batch = Ways * (Shots + Queries);
        var images = RandomImages(random, batch);
        var labels = Enumerable.Range(0, batch).Select(i => (long)(i % Ways)).ToArray();
        var options = new GraphSessionOptions { IntraOpThreads = threads, InterOpThreads = 1, ProfilingFilePrefix = profilePrefix };

        var forward = TimeGraph("forward", Forward(model, batch, withBackward: false), options, model, parameters, images, labels, batch, warmup, runs);
        var backward = TimeGraph("forward+backward", Forward(model, batch, withBackward: true), options, model, parameters, images, labels, batch, warmup, runs);
        var maml = TimeMaml(model, parameters, random, options, warmup, runs);
        return [forward, backward, maml];
    }

    private static TaskGraph Forward(Conv4 model, int batch, bool withBackward)
    {
        var g = new GraphBuilder(withBackward ? "conv4_backward" : "conv4_forward");
        var values = model.Parameters.ToDictionary(p => p.Name, p => g.Input(p.Name, DataType.Float, p.Shape.Select(d => (Dim)d).ToArray()));
        var x = g.Input("x", DataType.Float, batch, 1, 28, 28);
        var y = g.Input("y", DataType.Int64, batch);
        var logits = model.Forward(g, x, values);
        var outputs = new List<string>();
        if (withBackward)
        {
            var loss = Losses.SoftmaxCrossEntropy(g, logits, y);
            var gradients = Gradients.Append(g, loss, model.Parameters.Select(p => values[p.Name]).ToArray());
            g.Output(loss, []);
            outputs.Add(loss);
            foreach (var p in model.Parameters)
            {
                g.Output(gradients[values[p.Name]], p.Shape.Select(d => (Dim)d).ToArray());
                outputs.Add(gradients[values[p.Name]]);
            }
        }
        else
        {
            g.Output(logits, [batch, Ways]);
            outputs.Add(logits);
        }

        return new TaskGraph(TaskGraphRole.Predict, g.ToModel(), [.. model.Parameters.Select(p => p.Name), "x", "y"], outputs);
    }

    private static Timing TimeGraph(string name, TaskGraph graph, GraphSessionOptions options, Conv4 model, float[][] parameters,
        float[] images, long[] labels, int batch, int warmup, int runs)
    {
        using var session = new GraphSession(graph, options);
        using var tensors = new ParameterTensors(model.Parameters, parameters);
        using var x = OrtValue.CreateTensorValueFromMemory(images, [batch, 1, 28, 28]);
        using var y = OrtValue.CreateTensorValueFromMemory(labels, [batch]);
        OrtValue[] feed = [.. tensors.Tensors, x, y];
        using var outputs = session.CreateOutputs();
        return Timing.Measure(name, warmup, runs, () => session.Run(feed, outputs));
    }

    private static Timing TimeMaml(Conv4 model, float[][] parameters, Random random, GraphSessionOptions options, int warmup, int runs)
    {
        var maml = new Maml(model, TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        using var session = new GraphSession(maml.BuildMetaStep(), options);
        var task = new TaskData(RandomImages(random, Ways * Shots), [Ways * Shots, 1, 28, 28], RandomImages(random, Ways * Queries), [Ways * Queries, 1, 28, 28],
            supportLabels: Enumerable.Range(0, Ways * Shots).Select(i => (long)(i % Ways)).ToArray(),
            queryLabels: Enumerable.Range(0, Ways * Queries).Select(i => (long)(i % Ways)).ToArray());
        using var tensors = new ParameterTensors(model.Parameters, parameters);
        var inputs = new OrtValue[session.Graph.Inputs.Count];
        using var outputs = session.CreateOutputs();
        tensors.Place(session, inputs);
        using var feeds = new TaskFeeds(session, task, inputs);
        return Timing.Measure("maml-meta-gradient", warmup, runs, () => session.Run(inputs, outputs));
    }

    private static float[] RandomImages(Random random, int count) =>
        Enumerable.Range(0, count * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
}
