using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Training;

/// <summary>
/// The baseline a learned optimizer is compared with: plain SGD on the same model, from the same meta-learned θ₀, for the same
/// steps (an <see cref="Anil"/> inner loop on the head), with its step size tuned on other tasks than the test ones.
/// </summary>
public static class TunedSgdBaseline
{
    /// <summary>The step sizes tried, log-spaced.</summary>
    public static IReadOnlyList<float> Grid { get; } = [0.01f, 0.03f, 0.1f, 0.3f, 1f, 3f, 10f];

    /// <summary>Picks the step of <see cref="Grid"/> best on <paramref name="tuning"/>, then evaluates it on <paramref name="test"/>.</summary>
    /// <param name="learned">The learned optimizer whose model and θ₀ SGD starts from.</param>
    /// <param name="metaParameters">Its meta-parameters (the model's come first).</param>
    /// <param name="tuning">Tasks to choose the step on (training or validation classes).</param>
    /// <param name="tuningEpisodes">Episodes per step size tried.</param>
    /// <param name="test">Test tasks.</param>
    /// <param name="episodes">Test episodes.</param>
    /// <param name="steps">SGD steps (the learned optimizer's).</param>
    /// <param name="seed">Seed of the episodes.</param>
    /// <param name="options">ORT session settings.</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    /// <returns>The chosen step size and the test result with it.</returns>
    public static (float Step, EvaluationResult Result) Evaluate(LearnedOptimizer learned, float[][] metaParameters, ITaskSource tuning, int tuningEpisodes,
        ITaskSource test, int episodes, int steps, int seed, GraphSessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learned);
        ArgumentNullException.ThrowIfNull(metaParameters);
        var theta = metaParameters.Take(learned.Model.Parameters.Count).ToArray();
        Anil Sgd(float rate) => new((IHeadedModel)learned.Model, TaskKind.Classification, new InnerLoopOptions { Steps = steps, LearningRate = rate });
        var best = Grid.MaxBy(rate => Evaluator.Evaluate(Sgd(rate), theta, tuning, tuningEpisodes, steps, seed + 1, options, cancellationToken: cancellationToken).Metric.Mean);
        return (best, Evaluator.Evaluate(Sgd(best), theta, test, episodes, steps, seed, options, cancellationToken: cancellationToken));
    }
}
