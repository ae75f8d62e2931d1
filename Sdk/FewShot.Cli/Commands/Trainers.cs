using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>The meta-trainer that <c>fewshot train --engine</c> names; both write the same run folder (checkpoint, metrics), so either resumes the other's run.</summary>
internal static class Trainers
{
    /// <summary>A run of the chosen trainer: (run folder, progress, cancellation) → result.</summary>
    public static Func<string, IProgress<TrainingProgress>, CancellationToken, TrainingResult> Create(
        string engine, string device, int threads, MetaAlgorithm algorithm, RunData data, MetaTrainerOptions options)
    {
        if (engine == "onnx")
        {
            if (device != "cpu")
            {
                throw new ArgumentException($"--device {device} applies to the torch engine; the onnx engine trains on ONNX Runtime's CPU provider");
            }

            if (options.HasSchedules)
            {
                throw new ArgumentException("the MAML++ schedules (--mamlpp, --msl-iterations, --first-order-iterations, --cosine-lr) run on the torch engine; drop --engine onnx");
            }

            var graphs = new MetaTrainer(algorithm, data.Train, options) { Validation = data.Validation };
            return graphs.Train;
        }

        var torch = new TorchMetaTrainer(algorithm, data.Train, options) { Validation = data.Validation, Threads = threads, Device = device };
        return torch.Train;
    }
}
