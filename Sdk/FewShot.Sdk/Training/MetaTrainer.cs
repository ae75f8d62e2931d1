using System.Diagnostics;
using FewShot.Sdk.Algorithms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Training;

/// <summary>
/// Meta-trains an algorithm on ONNX Runtime: each iteration draws a meta-batch of tasks (from the iteration's own
/// seeded stream), runs the algorithm's meta-step graph on each, averages the meta-gradients and applies Adam.
/// With a run folder it checkpoints atomically, resumes to the identical state, and logs metrics as JSONL.
/// </summary>
public sealed class MetaTrainer(MetaAlgorithm algorithm, ITaskSource tasks, MetaTrainerOptions? options = null, ILogger? logger = null)
{
    private readonly MetaTrainerOptions _options = options ?? new MetaTrainerOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Tasks for periodic validation (see <see cref="MetaTrainerOptions.ValidateEvery"/>).</summary>
    public ITaskSource? Validation { get; init; }

    /// <summary>Trains, resuming from <paramref name="runFolder"/>'s checkpoint when it has one.</summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint of the last finished iteration is written first.</exception>
    public TrainingResult Train(string? runFolder = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var specs = algorithm.MetaParameters;
        var checkpointPath = runFolder is null ? null : Path.Combine(runFolder, Checkpoint.FileName);
        var start = checkpointPath is not null && File.Exists(checkpointPath) ? Checkpoint.Load(checkpointPath, specs) : null;
        var values = start?.Parameters ?? algorithm.Initialize(SeedSequence.For(_options.Seed, SeedSequence.Purpose.Initialization, 0));
        var adam = new AdamOptimizer(specs.Select(s => s.ElementCount).ToArray(), _options.MetaLearningRate);
        if (start is not null)
        {
            Restore(adam, start);
            _logger.LogInformation("Resuming {Algorithm} from iteration {Iteration}", algorithm.Name, start.Iteration);
        }

        var iteration = start?.Iteration ?? 0;
        if (runFolder is not null)
        {
            Directory.CreateDirectory(runFolder);
        }

        using var log = runFolder is null ? null : new MetricsLog(Path.Combine(runFolder, MetricsLog.FileName), iteration);
        using var step = new GraphSession(algorithm.BuildMetaStep(), _options.Session);
        using var parameters = new ParameterTensors(specs, values);
        var sums = specs.Select(s => new float[s.ElementCount]).ToArray();
        var gradientSlots = specs.Select(s => step.OutputIndex(GraphNames.Gradient(s.Name))).ToArray();
        var inputs = new OrtValue[step.Graph.Inputs.Count];

        // The meta-step's outputs (loss, metric, gradients) have fixed shapes: ORT writes them into the same arrays every run.
        using var outputs = step.CreateOutputs();
        parameters.Place(step, inputs);

        var clock = Stopwatch.StartNew();
        void Save() => WriteCheckpoint(checkpointPath, iteration, values, adam, specs);
        while (iteration < _options.Iterations)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Save();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (_options.TimeBudget is { } budget && clock.Elapsed >= budget)
            {
                _logger.LogInformation("Time budget of {Budget} reached at iteration {Iteration}", budget, iteration);
                Save();
                return new TrainingResult(iteration, false, values);
            }

            var (loss, metric) = RunIteration(step, inputs, outputs, gradientSlots, sums, iteration);
            CheckFinite(iteration + 1, loss, sums, specs, checkpointPath);
            adam.Step(values, sums);
            iteration++;
            log?.Iteration(iteration, loss, metric, clock.Elapsed.TotalSeconds);
            progress?.Report(new TrainingProgress(iteration, _options.Iterations, loss, metric, clock.Elapsed));
            if (iteration % _options.CheckpointEvery == 0)
            {
                Save();
            }

            if (Validation is not null && _options.ValidateEvery > 0 && iteration % _options.ValidateEvery == 0)
            {
                var result = Evaluator.Evaluate(algorithm, values, Validation, _options.ValidationEpisodes, _options.ValidationSteps,
                    _options.Seed, _options.Session, cancellationToken: cancellationToken);
                log?.Validation(iteration, result);
                _logger.LogInformation("Validation at {Iteration}: {Result}", iteration, result.Metric);
            }
        }

        Save();
        return new TrainingResult(iteration, true, values);
    }

    private (double Loss, double Metric) RunIteration(GraphSession step, OrtValue[] inputs, GraphOutputs outputs, int[] gradientSlots, float[][] sums, int iteration)
    {
        foreach (var sum in sums)
        {
            Array.Clear(sum);
        }

        var random = SeedSequence.For(_options.Seed, SeedSequence.Purpose.Training, iteration);
        double loss = 0, metric = 0;
        var lossSlot = step.OutputIndex(GraphNames.Loss);
        var metricSlot = step.OutputIndex(GraphNames.Metric);
        var scale = 1f / _options.MetaBatch;
        for (var t = 0; t < _options.MetaBatch; t++)
        {
            var task = tasks.Sample(random);
            using (new TaskFeeds(step, task, inputs))
            {
                step.Run(inputs, outputs);
            }

            loss += outputs[lossSlot].GetTensorDataAsSpan<float>()[0] * scale;
            metric += outputs[metricSlot].GetTensorDataAsSpan<float>()[0] * scale;
            for (var p = 0; p < sums.Length; p++)
            {
                var gradient = outputs[gradientSlots[p]].GetTensorDataAsSpan<float>();
                var sum = sums[p];
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += gradient[i] * scale;
                }
            }
        }

        return (loss, metric);
    }

    private static void CheckFinite(int iteration, double loss, float[][] gradients, IReadOnlyList<Models.ParameterSpec> specs, string? checkpointPath)
    {
        var kept = checkpointPath is not null && File.Exists(checkpointPath) ? $"the last good checkpoint is kept at {checkpointPath}" : "no checkpoint was written";
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException($"meta-training diverged at iteration {iteration}: the query loss is {loss}; {kept}. Try a smaller --inner-lr or meta learning rate.");
        }

        for (var p = 0; p < gradients.Length; p++)
        {
            foreach (var g in gradients[p])
            {
                if (!float.IsFinite(g))
                {
                    throw new TrainingDivergedException($"meta-training diverged at iteration {iteration}: the meta-gradient of '{specs[p].Name}' holds {g}; {kept}.");
                }
            }
        }
    }

    private static void WriteCheckpoint(string? path, int iteration, float[][] values, AdamOptimizer adam, IReadOnlyList<Models.ParameterSpec> specs)
    {
        if (path is not null)
        {
            new Checkpoint(iteration, values, adam.FirstMoments.ToArray(), adam.SecondMoments.ToArray(), adam.StepCount).Save(path, specs);
        }
    }

    private static void Restore(AdamOptimizer adam, Checkpoint checkpoint)
    {
        for (var i = 0; i < checkpoint.FirstMoments.Length; i++)
        {
            checkpoint.FirstMoments[i].CopyTo(adam.FirstMoments[i], 0);
            checkpoint.SecondMoments[i].CopyTo(adam.SecondMoments[i], 0);
        }

        adam.StepCount = checkpoint.OptimizerSteps;
    }
}
