using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using TorchSharp;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// ae-head: the autoencoder is pretrained, its encoder then stays frozen while a head is meta-learned on its codes;
/// the deployed classifier's two lowerings agree, and the bundle classifies new characters through the runtime.
/// </summary>
public sealed class AutoencoderHeadTests(ITestOutputHelper output)
{
    private static AutoencoderHead Small(int pretrain, bool tune = false) =>
        new(new ConvAutoencoder([1, 28, 28], latentSize: 32, hidden: 8), ways: 5, pretrain, tune, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });

    [Fact]
    public void ClassifierLoweringsAgreeAndTheHeadGradientIsAnils()
    {
        TorchSetup.Initialize();
        var algorithm = Small(pretrain: 0);
        var values = algorithm.Initialize(new Random(3));
        var task = ParityTasks.Task(TaskKind.Classification, algorithm.Model, seed: 5);
        var state = algorithm.DeploymentState(values).Values;
        var expected = OnnxReference.Run(algorithm.BuildPredict(), algorithm.Model.Parameters, state, task, taskQueryAsX: true)[GraphNames.Output];

        // ANIL's meta-gradient of the head does not depend on whether the encoder is frozen: the ONNX meta-step is the reference.
        var anil = new Anil((IHeadedModel)algorithm.Model, TaskKind.Classification, algorithm.Inner);
        var reference = OnnxReference.Run(anil.BuildMetaStep(), anil.MetaParameters, state, task);

        using var scope = torch.NewDisposeScope();
        var forward = TorchModels.Lower(algorithm.Model).Forward(ParityTasks.Leaves(algorithm.Model.Parameters, state), new TorchTask(task).QueryX);
        var step = TorchLearners.Create(algorithm).MetaStep(ParityTasks.Leaves(algorithm.MetaParameters, values), new TorchTask(task), iteration: 0);

        ParityAssert.AllClose([ParityTasks.Values(forward)], [expected], ["output"], "latent classifier forward");
        ParityAssert.AllClose([ParityTasks.Values(step.Gradients[6]), ParityTasks.Values(step.Gradients[7])],
            [reference[GraphNames.Gradient("head.weight")], reference[GraphNames.Gradient("head.bias")]], ["head.weight", "head.bias"], "d query loss / d");
        Assert.Equal(reference[GraphNames.Loss][0], step.Loss, 5);
        Assert.All(step.Gradients.Take(6).Concat(step.Gradients.Skip(8)), g => Assert.Equal(0f, ParityTasks.Values(g).Max(Math.Abs)));
    }

    [Fact]
    public void PretrainingTrainsTheAutoencoderAloneThenOnlyTheHeadMoves()
    {
        var algorithm = Small(pretrain: 5);
        Assert.Equal([true, true, true, true, true, true, false, false, true, true, true, true, true, true], algorithm.TrainedAt(4));
        Assert.Equal([false, false, false, false, false, false, true, true, false, false, false, false, false, false], algorithm.TrainedAt(5));
        Assert.Equal([false, false, false, false, true, true, true, true, false, false, false, false, false, false], Small(5, tune: true).TrainedAt(5));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void BundleClassifiesNewCharactersAndTheEncoderStaysFrozen()
    {
        using var folder = new TempDirectory();
        var splits = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        var train = new EpisodeTaskSource(new EpisodeSampler(new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 100).ToArray()), 5, 1, 5));
        var test = new EpisodeTaskSource(new EpisodeSampler(new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 60).ToArray()), 5, 1, 5));
        var algorithm = new AutoencoderHead(new ConvAutoencoder([1, 28, 28]), ways: 5, pretrainIterations: 150, inner: new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        MetaTrainerOptions Options(int iterations) => new() { Iterations = iterations, MetaBatch = 2, MetaLearningRate = 1e-2, Seed = 2 };

        var pretrained = new TorchMetaTrainer(algorithm, train, Options(150)).Train(folder.Path);
        var trained = new TorchMetaTrainer(algorithm, train, Options(180)).Train(folder.Path);
        var (_, measured) = BundleExport.WriteMeasured(folder.File("ae-head.fewshot"), algorithm, trained.Parameters,
            new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = "ae-head", Dataset = "omniglot", Seed = 4 }, trained.Iteration, steps: 5, test, episodes: 30);
        output.WriteLine($"5-way 1-shot through the runtime: {measured.Metric}");

        var names = algorithm.MetaParameters.Select(p => p.Name).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            var head = names[i].StartsWith("head.", StringComparison.Ordinal);
            Assert.True(head != pretrained.Parameters[i].SequenceEqual(trained.Parameters[i]), $"{names[i]} {(head ? "did not move" : "moved")} after pretraining");
        }

        Assert.True(measured.Metric.Mean > 0.4, $"5-way 1-shot accuracy of the ae-head bundle is {measured.Metric}; chance is 0.2");
    }
}
