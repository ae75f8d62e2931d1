namespace FewShot.Sdk.Training;

/// <summary>Reported after every meta-iteration.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="Iterations">The target count.</param>
/// <param name="Loss">Mean query loss of the iteration's tasks.</param>
/// <param name="Metric">Mean query accuracy (classification) or error of the iteration's tasks.</param>
/// <param name="Elapsed">Time spent in this call.</param>
public sealed record TrainingProgress(int Iteration, int Iterations, double Loss, double Metric, TimeSpan Elapsed);

/// <summary>The state after training stops.</summary>
/// <param name="Iteration">Iterations completed in total (resumed runs included).</param>
/// <param name="Completed">True when <see cref="MetaTrainerOptions.Iterations"/> was reached (not stopped by the time budget).</param>
/// <param name="Parameters">The meta-parameters, in <see cref="Algorithms.MetaAlgorithm.MetaParameters"/> order.</param>
public sealed record TrainingResult(int Iteration, bool Completed, float[][] Parameters);

/// <summary>Meta-training produced a non-finite loss or gradient; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
