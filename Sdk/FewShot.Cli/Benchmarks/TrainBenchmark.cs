using System.Globalization;
using FewShot.Cli.Training;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Benchmarks;

/// <summary>
/// Meta-training throughput of one case on the TorchSharp trainer, through the trainer itself (task sampling,
/// meta-gradient, Adam): conv4 (64 channels, 28×28, batch norm unless told otherwise) MAML and FOMAML 5-way 1-shot
/// with 15 queries per class, 1 or 5 inner steps, meta-batch 4; ProtoNets 60-way 5-shot 5-query, one episode per
/// iteration. The task is fixed random binary images, as benchmarks/train_torch.py uses. One case per process, so
/// the peak RSS (VmHWM) is the case's own.
/// </summary>
internal static class TrainBenchmark
{
    /// <summary>The cases, named as benchmarks/train_torch.py names them.</summary>
    public static IReadOnlyList<string> Cases { get; } = ["maml-1", "maml-5", "fomaml-1", "fomaml-5", "protonet-60w5s"];

    /// <summary>Runs <paramref name="warmup"/> + <paramref name="runs"/> meta-iterations and times the last <paramref name="runs"/>.</summary>
    public static TrainTiming Run(string name, FeatureNormalization normalization, int threads, int warmup, int runs, TextWriter error)
    {
        var (algorithm, task, metaBatch) = Create(name, normalization);
        var options = new MetaTrainerOptions
        {
            Iterations = warmup + runs,
            MetaBatch = metaBatch,
            Seed = 0,
        };
        var source = new FixedTask(task);
        var elapsed = new List<TimeSpan>();
        var progress = new Recorder(p => elapsed.Add(p.Elapsed));
        var warnings = new TrainerWarnings(error);
        new TorchMetaTrainer(algorithm, source, options, warnings) { Threads = threads }.Train(progress: progress);

        // Iteration i's duration is the gap between its report and the previous one (the first's from the start of
        // training); the first reports carry start-up, which the warm-up leaves out.
        var samples = Enumerable.Range(warmup, runs).Select(i => (elapsed[i] - (i == 0 ? TimeSpan.Zero : elapsed[i - 1])).TotalMilliseconds).Order().ToArray();
        var median = samples[samples.Length / 2];
        return new TrainTiming(name, metaBatch * 1000 / median, median, samples[0], PeakRssMegabytes(), warnings.Count);
    }

    private static (MetaAlgorithm Algorithm, TaskData Task, int MetaBatch) Create(string name, FeatureNormalization normalization)
    {
        if (!Cases.Contains(name))
        {
            throw new ArgumentException($"unknown training benchmark case '{name}': expected one of {string.Join(", ", Cases)}");
        }

        var random = new Random(0);
        if (name == "protonet-60w5s")
        {
            return (new ProtoNet(new Conv4([1, 28, 28], 0, normalization: normalization)), Task(random, 60, 5, 5), 1);
        }

        var parts = name.Split('-');
        var inner = new InnerLoopOptions { Steps = int.Parse(parts[1], CultureInfo.InvariantCulture), LearningRate = 0.4f };
        var conv4 = new Conv4([1, 28, 28], 5, normalization: normalization);
        MetaAlgorithm algorithm = parts[0] switch
        {
            "maml" => new Maml(conv4, TaskKind.Classification, inner),
            "fomaml" => new FirstOrderMaml(conv4, TaskKind.Classification, inner),
            _ => throw new ArgumentException($"unknown training benchmark case '{name}': expected one of {string.Join(", ", Cases)}"),
        };
        return (algorithm, Task(random, 5, 1, 15), 4);
    }

    private static TaskData Task(Random random, int ways, int shots, int queries)
    {
        float[] Images(int count) => Enumerable.Range(0, count * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
        long[] Labels(int count) => Enumerable.Range(0, count).Select(i => (long)(i % ways)).ToArray();
        return new TaskData(Images(ways * shots), [ways * shots, 1, 28, 28], Images(ways * queries), [ways * queries, 1, 28, 28],
            supportLabels: Labels(ways * shots), queryLabels: Labels(ways * queries));
    }

    private static double PeakRssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private sealed class FixedTask(TaskData task) : ITaskSource
    {
        public TaskData Sample(Random random) => task;
    }

    private sealed class Recorder(Action<TrainingProgress> record) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => record(value);
    }
}

/// <summary>One training benchmark case: throughput in tasks (or episodes) per second at the median meta-iteration, the median and fastest iteration, the process's peak RSS, and how many warnings the trainer logged (a side-by-side fallback is one).</summary>
internal sealed record TrainTiming(string Name, double TasksPerSecond, double MedianIterationMs, double FastestIterationMs, double PeakRssMb, int TrainerWarnings);
