using System.Diagnostics;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Meta-trains an algorithm on TorchSharp (libtorch autograd): each iteration draws a meta-batch of tasks from the
/// iteration's own seeded stream, computes their averaged meta-gradient with the algorithm's TorchSharp lowering
/// (<see cref="TorchLearners"/>) and applies Adam. The MAML++ schedules (<see cref="MetaTrainerOptions"/>: multi-step
/// loss, derivative-order and cosine annealing) are functions of the iteration, so they resume exactly too. Checkpoints
/// are written atomically and a resumed run continues bit for bit; metrics go to JSONL; a NaN or infinite loss or
/// gradient stops training with the last good checkpoint kept. Validation adapts and predicts with the exported ONNX
/// graphs (what ships).
/// </summary>
public sealed class TorchMetaTrainer(MetaAlgorithm algorithm, ITaskSource tasks, MetaTrainerOptions? options = null, ILogger? logger = null)
{
    private readonly MetaTrainerOptions _options = options ?? new MetaTrainerOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Tasks for periodic validation (see <see cref="MetaTrainerOptions.ValidateEvery"/>).</summary>
    public ITaskSource? Validation { get; init; }

    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (one per physical core).</summary>
    public int Threads { get; init; }

    /// <summary>The TorchSharp device: <c>cpu</c> (default), or <c>cuda</c> with TorchSharp's CUDA package.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Where a new run starts (in <see cref="MetaAlgorithm.MetaParameters"/> order; <see cref="WarmStart"/>); null: the
    /// seeded initialization. A run that resumes from its checkpoint ignores it.
    /// </summary>
    public float[][]? InitialParameters { get; init; }

    /// <summary>
    /// The run this training is (learner, data, model settings: the <see cref="RunConfiguration"/> its algorithm and data
    /// were built from). With a run folder, the trainer records it there as run.json (atomically; the meta-trainer's own
    /// settings from the options, and <see cref="RunConfiguration.Model"/>) and resumes the folder's checkpoint only when
    /// the recorded run is this one: another learner, model, dataset or data contents, or any other setting but the
    /// iteration target, is refused by name. A folder with a checkpoint but no run.json (written before runs were recorded,
    /// or without a run) resumes unchecked, with a warning, and is recorded from then on. Null: nothing is recorded, and a
    /// folder that records a run is refused, since it cannot be checked.
    /// </summary>
    public RunConfiguration? Run { get; init; }

    /// <summary>True when the caller already holds the run folder's <see cref="RunFolderLock"/> (the CLI takes it before writing run.json).</summary>
    internal bool HoldsFolderLock { get; init; }

    /// <summary>
    /// Trains, resuming from <paramref name="runFolder"/>'s checkpoint when it has one and it is the same run
    /// (<see cref="Run"/>). A run folder is held with a
    /// <see cref="RunFolderLock"/> while training, so that a second training on it, in this process or another, is refused
    /// instead of writing the same checkpoint in turn.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint of the last finished iteration is written first.</exception>
    /// <exception cref="TorchUnavailableException">libtorch did not load, or the device is not available.</exception>
    /// <exception cref="ArgumentException"><paramref name="runFolder"/> is a file, or holds another run than <see cref="Run"/> (each difference named) or a recorded run while <see cref="Run"/> is null; or a task's examples do not have the shape the algorithm's model takes.</exception>
    /// <exception cref="InvalidDataException">The run folder's run.json or checkpoint is not valid, or the checkpoint holds parameters of another model.</exception>
    /// <exception cref="IOException">Another training holds <paramref name="runFolder"/>.</exception>
    public TrainingResult Train(string? runFolder = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _options.Validate();
        if (runFolder is not null && File.Exists(runFolder))
        {
            throw new ArgumentException($"the run folder '{runFolder}' is a file; give a folder (it holds the checkpoint and metrics)", nameof(runFolder));
        }

        using var folderLock = runFolder is null || HoldsFolderLock ? null : RunFolderLock.Acquire(runFolder);
        var resumption = runFolder is null ? null : RunRecording.Check(runFolder, Run, algorithm, _options);
        if (resumption?.Note is { } note)
        {
            _logger.Log(resumption.Unchecked ? LogLevel.Warning : LogLevel.Information, "{Note}", note);
        }

        TorchSetup.Initialize(Threads);
        var device = TorchSetup.Device(Device);
        var specs = algorithm.MetaParameters;
        var checkpointPath = runFolder is null ? null : Path.Combine(runFolder, Checkpoint.FileName);
        var start = checkpointPath is not null && File.Exists(checkpointPath) ? Checkpoint.Load(checkpointPath, specs) : null;
        var values = start?.Parameters ?? Initial(specs);
        var adam = new AdamOptimizer(specs.Select(s => s.ElementCount).ToArray(), _options.MetaLearningRate);
        if (start is not null)
        {
            Restore(adam, start);
            RestoreStagedSteps(adam, start.Iteration);
            _logger.LogInformation("Resuming {Algorithm} from iteration {Iteration}", algorithm.Name, start.Iteration);
        }

        var iteration = start?.Iteration ?? 0;
        if (runFolder is not null)
        {
            Directory.CreateDirectory(runFolder);
            resumption?.Configuration.Save(runFolder);
        }

        using var log = runFolder is null ? null : new MetricsLog(Path.Combine(runFolder, MetricsLog.FileName), iteration);
        var learner = TorchLearners.Create(algorithm);
        var scheduled = CheckSchedules(learner);
        using var batch = new TorchMetaBatch(learner, device);
        var gradients = specs.Select(s => new float[s.ElementCount]).ToArray();
        var taskList = new TaskData[_options.MetaBatch];
        var clock = Stopwatch.StartNew();
        var warnedSideBySide = false;
        var warnedOneDnn = false;
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

            var random = SeedSequence.For(_options.Seed, SeedSequence.Purpose.Training, iteration);
            for (var t = 0; t < taskList.Length; t++)
            {
                taskList[t] = tasks.Sample(random);
                RequireModelShape(taskList[t], iteration);
            }

            if (scheduled is not null)
            {
                scheduled.Schedule = TrainingSchedules.MetaStep(_options, scheduled.Algorithm is GradientLearner g ? g.Inner.Steps : 0, iteration);
            }

            var (loss, metric) = batch.Run(values, taskList, gradients, iteration);
            if (batch.SideBySideStopped && !warnedSideBySide)
            {
                warnedSideBySide = true;
                _logger.LogWarning(
                    "A .NET garbage collection ran beside the task threads in meta-iteration {Iteration}; the remaining meta-batches run one task at a time on the trainer's thread (slower; the same meta-gradients up to float rounding)",
                    iteration + 1);
            }

            if (LibTorchOneDnn.Rejection is { } rejection && !warnedOneDnn)
            {
                warnedOneDnn = true;
                _logger.LogInformation("{Rejection}", rejection);
            }

            DivergenceCheck.ThrowIfNotFinite(iteration + 1, loss, gradients, specs, checkpointPath);
            adam.Step(values, gradients, algorithm.TrainedAt(iteration), TrainingSchedules.MetaLearningRate(_options, iteration));
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

    // A task source over other data than the model was built for would fail inside libtorch, with a native stack trace.
    // Runs for every task of every iteration, so it compares in place and allocates only to report.
    private void RequireModelShape(TaskData task, int iteration)
    {
        RequireModelShape("support", task.SupportShape, iteration);
        RequireModelShape("query", task.QueryShape, iteration);
        RequireHeadLabels("support", task.SupportLabels, iteration);
        RequireHeadLabels("query", task.QueryLabels, iteration);
    }

    // A classifier head scores labels 0 to its size − 1; a larger label failed inside libtorch ("Target 3 is out of
    // bounds", a native stack trace) after the run folder was locked and its metrics file begun.
    private void RequireHeadLabels(string name, long[]? labels, int iteration)
    {
        if (algorithm is not (Maml or FirstOrderMaml or MetaSgd or Anil or Reptile) || algorithm.Task != TaskKind.Classification || labels is null)
        {
            return;
        }

        var outputs = algorithm.OutputSize;
        foreach (var label in labels)
        {
            if (label < 0 || label >= outputs)
            {
                throw new ArgumentException(
                    $"a task of iteration {iteration + 1} has {name} label {label}, but {algorithm.Name}'s head has {outputs} outputs (labels 0 to {outputs - 1}); build the algorithm with the episodes' ways (RunConfiguration.Ways equal to the sampler's ways)");
            }
        }
    }

    private void RequireModelShape(string name, long[] shape, int iteration)
    {
        var expected = algorithm.Model.InputShape;
        var same = shape.Length == expected.Count + 1;
        for (var d = 0; same && d < expected.Count; d++)
        {
            same = shape[d + 1] == expected[d];
        }

        if (!same)
        {
            throw new ArgumentException(
                $"a task of iteration {iteration + 1} has {name} examples of shape [{string.Join(", ", shape.Skip(1))}], but {algorithm.Name}'s model {algorithm.Model.Name} takes [{string.Join(", ", expected)}]; build the algorithm over the data's example shape (RunData.InputShape)");
        }
    }

    private float[][] Initial(IReadOnlyList<ParameterSpec> specs)
    {
        if (InitialParameters is null)
        {
            return algorithm.Initialize(_options.Seed);
        }

        if (InitialParameters.Length != specs.Count || specs.Where((s, i) => InitialParameters[i].Length != s.ElementCount).Any())
        {
            throw new ArgumentException($"the initial parameters do not fit {algorithm.Name}'s {specs.Count} meta-parameters");
        }

        return InitialParameters.Select(v => (float[])v.Clone()).ToArray();
    }

    /// <summary>The learner whose meta-step follows the schedules, when any is on; throws when a schedule does not apply to it.</summary>
    private TorchGradientLearner? CheckSchedules(TorchLearner learner)
    {
        if (_options.MultiStepLossIterations == 0 && _options.FirstOrderIterations == 0)
        {
            return null;
        }

        if (learner is not TorchGradientLearner gradient)
        {
            throw new ArgumentException($"the multi-step loss and derivative-order annealing apply to the MAML family; {algorithm.Name} does not adapt by inner gradient steps");
        }

        if (_options.FirstOrderIterations > 0 && !gradient.IsSecondOrder)
        {
            throw new ArgumentException($"derivative-order annealing switches second-order learners to first order for a while; {algorithm.Name} is first-order throughout");
        }

        if (_options.MultiStepLossIterations > 0 && !gradient.MetaGradientIsQueryLoss)
        {
            throw new ArgumentException($"the multi-step loss weighs query losses; {algorithm.Name}'s meta-update is θ − θ′");
        }

        return gradient;
    }

    private static void WriteCheckpoint(string? path, int iteration, float[][] values, AdamOptimizer adam, IReadOnlyList<ParameterSpec> specs)
    {
        if (path is not null)
        {
            new Checkpoint(iteration, values, adam.FirstMoments.ToArray(), adam.SecondMoments.ToArray(), adam.StepCount).Save(path, specs);
        }
    }

    /// <summary>A staged algorithm's tensors were updated only in the iterations that trained them: their bias corrections count those.</summary>
    private void RestoreStagedSteps(AdamOptimizer adam, int iterations)
    {
        for (var i = 0; i < iterations; i++)
        {
            if (algorithm.TrainedAt(i) is not { } trained)
            {
                continue;
            }

            for (var t = 0; t < trained.Count; t++)
            {
                adam.TensorSteps[t] -= trained[t] ? 0 : 1;
            }
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
