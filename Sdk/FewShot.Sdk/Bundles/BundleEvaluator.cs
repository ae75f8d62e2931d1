using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Bundles;

/// <summary>
/// Measures an exported bundle the way an app uses it (DESIGN idea 4): FewShot.Runtime loads the bundle, adapts to
/// each test task's support set and predicts its queries. The episodes are the <see cref="Evaluator"/>'s (same seeds).
/// </summary>
public static class BundleEvaluator
{
    /// <summary>Accuracy (classification) or mean squared error (regression, reconstruction) over <paramref name="episodes"/> tasks.</summary>
    /// <param name="path">The .fewshot bundle.</param>
    /// <param name="kind">What the bundle's tasks ask.</param>
    /// <param name="tasks">Where test tasks come from.</param>
    /// <param name="episodes">How many tasks.</param>
    /// <param name="steps">Adaptation steps; null for the bundle's K (and for ProtoNets, which takes no steps).</param>
    /// <param name="seed">Seed of the test tasks.</param>
    /// <param name="threads">ONNX Runtime intra-op threads (0: its choice).</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    public static EvaluationResult Evaluate(string path, TaskKind kind, ITaskSource tasks, int episodes, int? steps, int seed, int threads = 0, CancellationToken cancellationToken = default) =>
        Evaluate(path, kind, tasks, episodes, steps, seed, singleQueries: false, threads, cancellationToken);

    /// <summary>
    /// As <see cref="Evaluate(string, TaskKind, ITaskSource, int, int?, int, int, CancellationToken)"/>; with
    /// <paramref name="singleQueries"/> every query of a classification episode is classified alone, as an app
    /// classifying one image at a time does, instead of all of an episode's queries in one batch.
    /// </summary>
    public static EvaluationResult Evaluate(string path, TaskKind kind, ITaskSource tasks, int episodes, int? steps, int seed, bool singleQueries, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        using var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = threads });
        return Evaluate(model, kind, tasks, episodes, steps, seed, singleQueries, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Evaluate(string, TaskKind, ITaskSource, int, int?, int, bool, int, CancellationToken)"/>, on a model
    /// the caller loaded (and still owns), so that one load serves several measurements.
    /// </summary>
    public static EvaluationResult Evaluate(FewShotModel model, TaskKind kind, ITaskSource tasks, int episodes, int? steps, int seed, bool singleQueries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        var options = new AdaptOptions { Steps = steps };
        var scores = new double[episodes];
        for (var e = 0; e < episodes; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var task = tasks.Sample(SeedSequence.For(seed, SeedSequence.Purpose.Evaluation, e));
            scores[e] = kind switch
            {
                TaskKind.Classification => Accuracy(model.Adapt(task.SupportX, task.SupportLabels!.Select(l => (int)l).ToArray(), options, cancellationToken), task, singleQueries),
                TaskKind.Regression => SquaredError(model.AdaptRegression(task.SupportX, task.SupportTargets!, options, cancellationToken).PredictValues(task.QueryX), task.QueryTargets!),
                _ => SquaredError(model.AdaptUnlabeled(task.SupportX, options, cancellationToken).PredictValues(task.QueryX), task.QueryX),
            };
        }

        return new EvaluationResult(ConfidenceInterval.Of(scores), episodes, steps ?? model.Manifest.InnerLoop?.Steps ?? 0, kind == TaskKind.Classification);
    }

    private static double Accuracy(AdaptedModel adapted, TaskData task, bool singleQueries)
    {
        var size = task.QueryX.Length / (int)task.QueryCount;
        var predictions = singleQueries
            ? Enumerable.Range(0, (int)task.QueryCount).Select(i => adapted.Predict(task.QueryX.AsMemory(i * size, size))[0]).ToArray()
            : adapted.Predict(task.QueryX);
        var correct = 0;
        for (var i = 0; i < predictions.Count; i++)
        {
            correct += predictions[i].Label == task.QueryLabels![i].ToString(CultureInfo.InvariantCulture) ? 1 : 0;
        }

        return (double)correct / predictions.Count;
    }

    private static double SquaredError(IReadOnlyList<float[]> predictions, float[] targets)
    {
        double sum = 0;
        var i = 0;
        foreach (var row in predictions)
        {
            foreach (var value in row)
            {
                var d = value - targets[i++];
                sum += d * d;
            }
        }

        return sum / targets.Length;
    }
}
