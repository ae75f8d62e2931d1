using FewShot.Cli.Training;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>The meta-trainer behind <c>fewshot train</c>: TorchSharp's, on the device that <c>--device</c> names.</summary>
internal static class Trainers
{
    /// <summary>
    /// A run of the trainer: (run folder, progress, cancellation) → result; the caller holds the folder's
    /// <see cref="RunFolderLock"/>. The trainer checks <paramref name="run"/> against the folder's run.json and records it.
    /// </summary>
    public static Func<string, IProgress<TrainingProgress>, CancellationToken, TrainingResult> Create(
        string device, int threads, RunConfiguration run, MetaAlgorithm algorithm, RunData data, MetaTrainerOptions options, TextWriter error, float[][]? initial = null)
    {
        var torch = new TorchMetaTrainer(algorithm, data.Train, options, new TrainerWarnings(error))
        {
            Validation = data.Validation, Threads = threads, Device = device, InitialParameters = initial, HoldsFolderLock = true, Run = run,
        };
        return torch.Train;
    }
}
