using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Algorithms;

/// <summary>
/// The meta-learned autoencoder's code classifies new characters after adaptation (its reconstruction, and the
/// fine-tuning baseline, are TorchConvLearningTests'); every conv learner's graphs pass the ONNX checker.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BaselineAndAutoencoderTests
{
    [Fact]
    public void AutoencoderAdaptationReducesReconstructionErrorAndItsCodeClassifies()
    {
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new MetaAutoencoder(new ConvAutoencoder([1, 28, 28], latentSize: 32, hidden: 8), new InnerLoopOptions { Steps = 1, LearningRate = 0.5f });
        var trained = new TorchMetaTrainer(algorithm, new EpisodeTaskSource(new EpisodeSampler(train, 5, 2, 2)),
            new MetaTrainerOptions { Iterations = 80, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 2 }) { Threads = 1 }.Train();
        var tasks = new EpisodeTaskSource(new EpisodeSampler(test, 5, 2, 5));

        var unadapted = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 20, steps: 0, seed: 4);
        var adapted = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 20, steps: 5, seed: 4);
        var latent = Evaluator.EvaluateLatentClassification(algorithm, trained.Parameters, tasks, episodes: 20, steps: 5, seed: 4);

        Assert.True(adapted.Metric.Mean < unadapted.Metric.Mean, $"query reconstruction error {adapted.Metric} after adaptation, {unadapted.Metric} before");
        Assert.True(latent.Metric.Mean > 0.35, $"5-way 2-shot accuracy on the latent code is {latent.Metric}; chance is 0.2");
    }

    [Fact]
    public void EveryConvGraphPassesTheOnnxChecker()
    {
        var conv4 = new Conv4([1, 28, 28], outputs: 5, channels: 8);
        MetaAlgorithm[] algorithms =
        [
            new Maml(conv4, TaskKind.Classification), new FirstOrderMaml(conv4, TaskKind.Classification), new MetaSgd(conv4, TaskKind.Classification),
            new Anil(conv4, TaskKind.Classification), new Reptile(conv4, TaskKind.Classification), new ProtoNet(new Conv4([1, 28, 28], 0, 8)),
            new MetaAutoencoder(new ConvAutoencoder([1, 28, 28], 16, 4)), new FineTune(new Conv4([1, 28, 28], 20, 8), conv4),
        ];
        foreach (var algorithm in algorithms)
        {
            foreach (var graph in new[] { algorithm.BuildMetaStep(), algorithm.BuildAdapt(2), algorithm.BuildPredict() })
            {
                OnnxChecker.AssertValid(OnnxModelFile.ToBytes(graph.Model), $"{algorithm.Name} {graph.Role}");
            }
        }
    }
}
