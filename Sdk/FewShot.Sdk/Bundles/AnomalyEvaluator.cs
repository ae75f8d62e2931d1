using FewShot.Runtime.Bundles;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Bundles;

/// <summary>
/// Measures a reconstruction bundle as a few-shot anomaly detector, through FewShot.Runtime (DESIGN idea 4): in each
/// episode the classes labelled below <c>normalClasses</c> are normal and the rest anomalies; the bundle adapts to the
/// normal classes' support examples (no labels), scores every query (<see cref="AdaptedModel.AnomalyScores"/>), and the
/// episode's figure is the area under the ROC curve of those scores (1: every anomaly scores above every normal query;
/// 0.5: chance).
/// </summary>
public static class AnomalyEvaluator
{
    /// <summary>Mean AUROC over <paramref name="episodes"/> tasks drawn with the <see cref="Evaluator"/>'s seeds, with its 95% interval.</summary>
    /// <param name="path">The .fewshot bundle (output kind reconstruction).</param>
    /// <param name="tasks">Labelled test tasks with more than <paramref name="normalClasses"/> classes.</param>
    /// <param name="normalClasses">Labels 0 to this − 1 are normal.</param>
    /// <param name="episodes">How many tasks.</param>
    /// <param name="seed">Seed of the test tasks.</param>
    /// <param name="threads">ONNX Runtime intra-op threads (0: its choice).</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    /// <exception cref="ArgumentException">A task has no normal or no anomalous query.</exception>
    public static ConfidenceInterval Evaluate(string path, ITaskSource tasks, int normalClasses, int episodes, int seed, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(normalClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        using var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = threads });
        var exampleSize = (int)model.Manifest.Input.Shape.Aggregate(1L, (a, b) => a * b);
        var scores = new double[episodes];
        for (var e = 0; e < episodes; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var task = tasks.Sample(SeedSequence.For(seed, SeedSequence.Purpose.Evaluation, e));
            var support = Select(task.SupportX, task.SupportLabels!, exampleSize, label => label < normalClasses);
            var anomalous = task.QueryLabels!.Select(label => label >= normalClasses).ToArray();
            var adapted = model.AdaptUnlabeled(support, options: null, cancellationToken);
            scores[e] = Auroc(adapted.AnomalyScores(task.QueryX, cancellationToken), anomalous);
        }

        return ConfidenceInterval.Of(scores);
    }

    /// <summary>
    /// The area under the ROC curve of <paramref name="scores"/> for telling the <paramref name="anomalous"/> examples
    /// from the others: the share of (anomalous, normal) pairs whose anomalous example scores higher, ties counting half.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or one group is empty.</exception>
    public static double Auroc(IReadOnlyList<float> scores, IReadOnlyList<bool> anomalous)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(anomalous);
        if (scores.Count != anomalous.Count)
        {
            throw new ArgumentException($"{scores.Count} scores for {anomalous.Count} flags", nameof(anomalous));
        }

        var positives = Enumerable.Range(0, scores.Count).Where(i => anomalous[i]).Select(i => scores[i]).ToArray();
        var negatives = Enumerable.Range(0, scores.Count).Where(i => !anomalous[i]).Select(i => scores[i]).ToArray();
        if (positives.Length == 0 || negatives.Length == 0)
        {
            throw new ArgumentException($"AUROC needs anomalous and normal examples; got {positives.Length} and {negatives.Length}", nameof(anomalous));
        }

        double wins = 0;
        foreach (var p in positives)
        {
            foreach (var n in negatives)
            {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }

        return wins / ((double)positives.Length * negatives.Length);
    }

    private static float[] Select(float[] inputs, long[] labels, int exampleSize, Func<long, bool> keep)
    {
        var kept = new List<float>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (keep(labels[i]))
            {
                kept.AddRange(inputs.AsSpan(i * exampleSize, exampleSize));
            }
        }

        return [.. kept];
    }
}
