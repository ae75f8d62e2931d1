using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Runs;

/// <summary>How <see cref="Torch.TorchMetaTrainer"/> checks a run folder's recorded run before training in it, and what it records.</summary>
internal static class RunRecording
{
    /// <summary>
    /// What training <paramref name="run"/> in <paramref name="folder"/> does (<see cref="RunResume.Decide"/>), with the run
    /// as the trainer records it (<see cref="Recorded"/>); null without a run, when the folder records none either.
    /// </summary>
    /// <exception cref="ArgumentException">The folder's run differs from <paramref name="run"/> and has a checkpoint; or no run is given and the folder records one, which then cannot be checked.</exception>
    public static RunResumption? Check(string folder, RunConfiguration? run, MetaAlgorithm algorithm, MetaTrainerOptions options)
    {
        if (run is not null)
        {
            return RunResume.Decide(folder, Recorded(run, algorithm, options));
        }

        if (File.Exists(Path.Combine(folder, RunConfiguration.FileName)))
        {
            var existing = RunConfiguration.Load(folder);
            throw new ArgumentException($"{folder} holds a recorded run ({existing.Algorithm} on {existing.Dataset}, in its {RunConfiguration.FileName}), which a trainer given no run "
                + "configuration cannot check: set TorchMetaTrainer.Run to the run's configuration to resume it, or train in another run folder");
        }

        return null;
    }

    /// <summary>
    /// <paramref name="run"/> as the trainer records it: the meta-trainer's own settings (iterations, meta-batch, meta
    /// learning rate, seed, MAML++ schedules) from the options it trains with, the model it trains, and the data's
    /// fingerprint where the Sdk loads the data and the run gave none.
    /// </summary>
    public static RunConfiguration Recorded(RunConfiguration run, MetaAlgorithm algorithm, MetaTrainerOptions options) => (run with
    {
        Iterations = options.Iterations,
        MetaBatch = options.MetaBatch,
        MetaLearningRate = options.MetaLearningRate,
        Seed = options.Seed,
        MultiStepLossIterations = options.MultiStepLossIterations,
        FirstOrderIterations = options.FirstOrderIterations,
        CosineIterations = options.CosineIterations,
        DataFingerprint = run.DataFingerprint ?? DataFingerprint.Of(run),
        Model = ModelOf(algorithm.Model),
    }).WithoutInapplicableSettings();

    /// <summary>The model's record in run.json: its name and one example's shape ("conv4 [1, 28, 28]").</summary>
    public static string ModelOf(IFewShotModel model) => $"{model.Name} [{string.Join(", ", model.InputShape)}]";
}
