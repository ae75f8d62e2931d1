using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// The Meta-Learner LSTM (learned optimizer) meta-trains on TorchSharp on a small Omniglot subset, and its bundle, adapting
/// through FewShot.Runtime with the learned optimizer (its LSTM state carried from step to step), classifies new characters
/// well above chance (0.2) and as the Sdk's evaluator of the same graphs does.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LearnedOptimizerTests
{
    [Fact]
    public void BundleAdaptsWithTheLearnedOptimizerThroughTheRuntime()
    {
        using var folder = new TempDirectory();
        var (train, test) = OmniglotSubset.Both;
        // The inductive default (instance norm), on 1 libtorch thread so that the run is the same in any test order:
        // 60 iterations reached 0.41, 100 0.43, 150 0.50, 200 0.56 ± 0.05 (2026-12-03).
        var algorithm = new LearnedOptimizer(new Conv4([1, 28, 28], 5, channels: 16), new InnerLoopOptions { Steps = 3 });
        var options = new MetaTrainerOptions { Iterations = 200, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 2 };
        var trained = new TorchMetaTrainer(algorithm, Episodes(train), options) { Threads = 1 }.Train();

        var path = folder.File("metalstm.fewshot");
        var (_, measured) = BundleExport.WriteMeasured(path, algorithm, trained.Parameters, new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot", Seed = 4 },
            trained.Iteration, steps: 3, Episodes(test), episodes: 20);
        var sdk = Evaluator.Evaluate(algorithm, trained.Parameters, Episodes(test), episodes: 20, steps: 3, seed: 4);

        Assert.True(measured.Metric.Mean > 0.4, $"5-way 1-shot accuracy of the metalstm bundle is {measured.Metric}; chance is 0.2");
        Assert.Equal(sdk.Metric.Mean, measured.Metric.Mean, 2);
        using var model = FewShotModel.Load(path);
        Assert.Equal(algorithm.Optimizer.StateNames, model.Manifest.InnerLoop!.CarriedState);
        var task = Episodes(test).Sample(new Random(1));
        var adapted = model.Adapt(task.SupportX, [.. task.SupportLabels!.Select(l => (int)l)]);
        var state = adapted.Tensors.Single(t => t.Name == algorithm.Optimizer.StateNames[0]);
        Assert.Contains(state.Values.ToArray(), v => v != 0);
    }

    private static EpisodeTaskSource Episodes(IFewShotDataset data) => new(new EpisodeSampler(data, 5, 1, 5));
}
