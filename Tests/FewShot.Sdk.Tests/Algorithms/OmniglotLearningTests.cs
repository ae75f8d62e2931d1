using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Algorithms;

/// <summary>On a small Omniglot subset, ProtoNets and MAML reach well above chance 5-way accuracy in seconds of CPU training.</summary>
[Trait("Category", "Slow")]
public sealed class OmniglotLearningTests
{
    [Theory]
    [InlineData("protonet", 60, 0.6)]
    [InlineData("maml", 60, 0.45)]
    public void FiveWayAccuracyRisesWellAboveChance(string name, int iterations, double required)
    {
        var splits = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        var train = new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 200).ToArray());
        var test = new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 100).ToArray());
        MetaAlgorithm algorithm = name == "protonet"
            ? new ProtoNet(new Conv4([1, 28, 28], outputs: 0, channels: 32))
            : new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 32), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        var trainer = new TorchMetaTrainer(algorithm, new EpisodeTaskSource(new EpisodeSampler(train, 5, 1, 5)),
            new MetaTrainerOptions { Iterations = iterations, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 3 }) { Threads = 1 };

        var trained = trainer.Train();
        var result = Evaluator.Evaluate(algorithm, trained.Parameters, new EpisodeTaskSource(new EpisodeSampler(test, 5, 1, 5)), episodes: 40, steps: 3, seed: 11);

        Assert.True(result.Metric.Mean > required, $"{name}: 5-way 1-shot accuracy {result.Metric} after {iterations} iterations, expected above {required} (chance is 0.2)");
    }
}
