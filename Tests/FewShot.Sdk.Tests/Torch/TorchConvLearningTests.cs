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
/// The conv learners meta-train on TorchSharp on a small Omniglot subset and, measured through the exported ONNX
/// graphs (the bundle, through FewShot.Runtime, for ProtoNets), classify new characters well above chance (0.2).
/// </summary>
[Trait("Category", "Slow")]
public sealed class TorchConvLearningTests
{
    private static MetaTrainerOptions Options(int iterations, int metaBatch = 2) =>
        new() { Iterations = iterations, MetaBatch = metaBatch, MetaLearningRate = 3e-3, Seed = 2 };

    [Fact]
    public void ProtoNetsBundleClassifiesNewCharactersThroughTheRuntime()
    {
        using var folder = new TempDirectory();
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 16));
        var trained = new TorchMetaTrainer(algorithm, OmniglotSubset.Episodes(train, 5, 1, 5), Options(30)).Train();

        var (_, measured) = BundleExport.WriteMeasured(folder.File("proto.fewshot"), algorithm, trained.Parameters, new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot", Seed = 4 },
            trained.Iteration, steps: 1, OmniglotSubset.Episodes(test, 5, 1, 5), episodes: 30);

        Assert.True(measured.IsAccuracy);
        Assert.True(measured.Metric.Mean > 0.6, $"5-way 1-shot accuracy of the torch-trained ProtoNets bundle is {measured.Metric}; chance is 0.2");
    }

    [Fact]
    public void MamlOnConv4LearnsToAdapt()
    {
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new Maml(new Conv4([1, 28, 28], 5, channels: 16), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        var trained = new TorchMetaTrainer(algorithm, OmniglotSubset.Episodes(train, 5, 1, 5), Options(60)).Train();

        var result = Evaluator.Evaluate(algorithm, trained.Parameters, OmniglotSubset.Episodes(test, 5, 1, 5), episodes: 20, steps: 3, seed: 4);

        Assert.True(result.Metric.Mean > 0.4, $"5-way 1-shot accuracy of torch-trained MAML is {result.Metric}; chance is 0.2");
    }

    [Fact]
    public void MamlWithSupportStatisticsLearnsToAdaptThroughTheRuntime()
    {
        // --norm support end to end: the trainer (task by task, the statistics pass per task), the export with the
        // statistics in the adapted state, and FewShot.Runtime adapting and predicting.
        using var folder = new TempDirectory();
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new Maml(new Conv4([1, 28, 28], 5, channels: 16, FeatureNormalization.Support), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        var trained = new TorchMetaTrainer(algorithm, OmniglotSubset.Episodes(train, 5, 1, 5), Options(60)).Train();

        var (_, measured) = BundleExport.WriteMeasured(folder.File("maml-support.fewshot"), algorithm, trained.Parameters,
            new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot", Seed = 4, Normalization = "support" }, trained.Iteration, steps: 3, OmniglotSubset.Episodes(test, 5, 1, 5), episodes: 20);

        Assert.True(measured.Metric.Mean > 0.4, $"5-way 1-shot accuracy of torch-trained MAML with support statistics, through the runtime, is {measured.Metric}; chance is 0.2");
    }

    [Fact]
    public void FineTuningBaselinePretrainsOnTorch()
    {
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new FineTune(new Conv4([1, 28, 28], outputs: train.ClassCount, channels: 16), new Conv4([1, 28, 28], outputs: 5, channels: 16),
            new InnerLoopOptions { Steps = 1, LearningRate = 0.5f });
        var trained = new TorchMetaTrainer(algorithm, new ClassBatchTaskSource(train, 32), Options(60, metaBatch: 1)).Train();

        var result = Evaluator.Evaluate(algorithm, trained.Parameters, OmniglotSubset.Episodes(test, 5, 1, 5), episodes: 30, steps: 30, seed: 4);

        Assert.True(result.Metric.Mean > 0.4, $"5-way 1-shot accuracy of the torch-trained fine-tuning baseline is {result.Metric}; chance is 0.2");
    }

    [Fact]
    public void AutoencoderAdaptationReducesReconstructionError()
    {
        var (train, test) = OmniglotSubset.Both;
        var algorithm = new MetaAutoencoder(new ConvAutoencoder([1, 28, 28], latentSize: 32, hidden: 8), new InnerLoopOptions { Steps = 1, LearningRate = 0.5f });
        var trained = new TorchMetaTrainer(algorithm, OmniglotSubset.Episodes(train, 5, 2, 2), Options(30)).Train();
        var tasks = OmniglotSubset.Episodes(test, 5, 2, 5);

        var unadapted = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 10, steps: 0, seed: 4);
        var adapted = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 10, steps: 3, seed: 4);

        Assert.True(adapted.Metric.Mean < unadapted.Metric.Mean, $"query reconstruction error {adapted.Metric} after adaptation, {unadapted.Metric} before");
    }
}
