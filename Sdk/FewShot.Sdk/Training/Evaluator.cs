using FewShot.Bundles;
using FewShot.Sdk.Algorithms;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Training;

/// <summary>
/// Evaluates a meta-learned state the way it will be used: for each test task, run the algorithm's adapt graph on
/// the support set, then its predict graph on the query set, and score the predictions.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates over <paramref name="episodes"/> tasks drawn reproducibly from <paramref name="seed"/>.</summary>
    /// <param name="algorithm">The algorithm whose graphs adapt and predict.</param>
    /// <param name="metaParameters">Values of <see cref="MetaAlgorithm.MetaParameters"/>, in order.</param>
    /// <param name="tasks">Where test tasks come from.</param>
    /// <param name="episodes">How many tasks (the papers use 600).</param>
    /// <param name="steps">Inner steps for gradient-based algorithms.</param>
    /// <param name="seed">Seed of the test tasks.</param>
    /// <param name="options">ORT session settings.</param>
    /// <param name="progress">Receives the number of episodes done.</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    public static EvaluationResult Evaluate(MetaAlgorithm algorithm, float[][] metaParameters, ITaskSource tasks, int episodes, int steps, int seed,
        GraphSessionOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Evaluate(algorithm, algorithm.BuildPredict(), algorithm.Task, metaParameters, tasks, episodes, steps, seed, options, progress, cancellationToken);
    }

    /// <summary>
    /// Few-shot classification on the latent code of a meta-learned autoencoder: adapt to the (unlabelled) support
    /// set, then classify queries by the nearest class mean of the adapted encoder's codes.
    /// </summary>
    public static EvaluationResult EvaluateLatentClassification(MetaAutoencoder algorithm, float[][] metaParameters, ITaskSource tasks, int episodes, int steps, int seed,
        GraphSessionOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Evaluate(algorithm, algorithm.BuildLatentClassifier(), TaskKind.Classification, metaParameters, tasks, episodes, steps, seed, options, progress, cancellationToken);
    }

    private static EvaluationResult Evaluate(MetaAlgorithm algorithm, TaskGraph predictGraph, TaskKind scoreAs, float[][] metaParameters, ITaskSource tasks,
        int episodes, int steps, int seed, GraphSessionOptions? options, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        using var adapt = new GraphSession(algorithm.BuildAdapt(steps), options);
        using var predict = new GraphSession(predictGraph, options);
        var (specs, values) = algorithm.DeploymentState(metaParameters);
        using var parameters = new ParameterTensors(specs, values);
        using var adapted = adapt.CreateOutputs();
        using var predictions = predict.CreateOutputs();
        var scores = new double[episodes];
        for (var e = 0; e < episodes; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var task = tasks.Sample(SeedSequence.For(seed, SeedSequence.Purpose.Evaluation, e));
            scores[e] = Score(scoreAs, RunEpisode(adapt, adapted, predict, predictions, parameters, task), task);
            progress?.Report(e + 1);
        }

        return new EvaluationResult(ConfidenceInterval.Of(scores), episodes, steps, scoreAs == TaskKind.Classification);
    }

    /// <summary>Adapts to the task's support set and returns the query predictions (row-major [query count, outputs]).</summary>
    /// <remarks><paramref name="adapted"/> and <paramref name="outputs"/> (of <paramref name="adapt"/> and <paramref name="predict"/>) are reused across episodes.</remarks>
    internal static float[] RunEpisode(GraphSession adapt, GraphOutputs adapted, GraphSession predict, GraphOutputs outputs, ParameterTensors parameters, TaskData task)
    {
        var adaptInputs = new OrtValue[adapt.Graph.Inputs.Count];
        parameters.Place(adapt, adaptInputs);
        using (new TaskFeeds(adapt, task, adaptInputs))
        {
            adapt.Run(adaptInputs, adapted);
        }

        var predictInputs = new OrtValue[predict.Graph.Inputs.Count];
        parameters.Place(predict, predictInputs);
        for (var o = 0; o < adapted.Count; o++)
        {
            var name = adapt.Graph.Outputs[o];
            var target = name.StartsWith(BundleNames.AdaptedPrefix, StringComparison.Ordinal) ? name[BundleNames.AdaptedPrefix.Length..] : name;
            if (predict.Graph.Inputs.Contains(target))
            {
                // State that predict does not read (a learned optimizer's) served adaptation alone.
                predictInputs[predict.InputIndex(target)] = adapted[o];
            }
        }

        using (new TaskFeeds(predict, task, predictInputs, queryAsX: true))
        {
            predict.Run(predictInputs, outputs);
        }

        return outputs[predict.OutputIndex(GraphNames.Output)].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Accuracy for labels; mean squared error against targets, or against the inputs for reconstruction.</summary>
    internal static double Score(TaskKind kind, float[] predictions, TaskData task)
    {
        if (kind == TaskKind.Classification)
        {
            var labels = task.QueryLabels!;
            var classes = predictions.Length / labels.Length;
            var correct = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                correct += ArgMax(predictions.AsSpan(i * classes, classes)) == labels[i] ? 1 : 0;
            }

            return (double)correct / labels.Length;
        }

        var target = kind == TaskKind.Regression ? task.QueryTargets! : task.QueryX;
        double sum = 0;
        for (var i = 0; i < target.Length; i++)
        {
            var d = predictions[i] - target[i];
            sum += d * d;
        }

        return sum / target.Length;
    }

    /// <summary>The index of the largest value (the first, on ties).</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }

        return best;
    }
}
