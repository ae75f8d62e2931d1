namespace FewShot.Sdk.Training;

/// <summary>The outcome of evaluating adaptation over many test tasks.</summary>
/// <param name="Metric">Accuracy (classification) or mean squared error (regression, reconstruction) per episode, summarized.</param>
/// <param name="Episodes">The number of episodes.</param>
/// <param name="Steps">The inner steps used to adapt.</param>
/// <param name="IsAccuracy">True when <see cref="Metric"/> is an accuracy.</param>
public sealed record EvaluationResult(ConfidenceInterval Metric, int Episodes, int Steps, bool IsAccuracy);
