using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// The manifest's innerLoop.separableSteps is set exactly for the bundles whose step on a support set is the
/// size-weighted mean of the steps on its shares, and for those the claim holds through FewShot.Runtime: a group-norm
/// conv4 adapted on two shares side by side gives the state it gets in one piece.
/// </summary>
public sealed class SeparableStepsTests
{
    [Theory]
    [InlineData("maml", true)]
    [InlineData("fomaml", true)]
    [InlineData("metasgd", true)]
    [InlineData("reptile", true)]
    [InlineData("autoencoder", true)]
    [InlineData("sinusoid-maml", true)]
    [InlineData("anil", false)]
    [InlineData("finetune", false)]
    [InlineData("maml-support", false)]
    [InlineData("proto-maml-support", false)]
    [InlineData("metalstm", false)]
    public void TheManifestDeclaresSeparableStepsExactlyWhereEachExampleStepsAlone(string name, bool separable)
    {
        using var folder = new TempDirectory();
        Assert.Equal(separable, Export(folder, BundleExportTests.Create(name), name).InnerLoop!.SeparableSteps);
    }

    [Theory]
    [InlineData(FeatureNormalization.Group, false, true)]
    [InlineData(FeatureNormalization.Layer, false, true)]
    [InlineData(FeatureNormalization.Batch, false, false)]
    [InlineData(FeatureNormalization.Group, true, false)]
    public void Conv4MamlIsSeparableWithPerExampleNormalizationAndNoPrototypeHead(FeatureNormalization normalization, bool prototypeHead, bool separable)
    {
        using var folder = new TempDirectory();
        var maml = new Maml(new Conv4([1, 28, 28], 5, 16, normalization), TaskKind.Classification, new InnerLoopOptions { PrototypeHead = prototypeHead });
        Assert.Equal(separable, Export(folder, maml, "maml").InnerLoop!.SeparableSteps);
    }

    [Fact]
    public void AGroupNormConv4AdaptsOnSharesAsInOnePiece()
    {
        using var folder = new TempDirectory();
        var maml = new Maml(new Conv4([1, 28, 28], 5, 16, FeatureNormalization.Group), TaskKind.Classification, new InnerLoopOptions { LearningRate = 0.4f });
        Export(folder, maml, "maml");
        var random = new Random(5);
        var support = Enumerable.Range(0, 10 * 28 * 28).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray();
        int[] labels = [.. Enumerable.Range(0, 10).Select(i => i % 5)];

        using var whole = FewShotModel.Load(folder.File("maml.fewshot"), new RuntimeOptions { IntraOpThreads = 1, AdaptationShares = 1 });
        using var split = FewShotModel.Load(folder.File("maml.fewshot"), new RuntimeOptions { IntraOpThreads = 1, AdaptationShares = 2 });
        var one = whole.Adapt(support, labels, new AdaptOptions { Steps = 3 });
        var two = split.Adapt(support, labels, new AdaptOptions { Steps = 3 });

        foreach (var tensor in one.Tensors)
        {
            var expected = tensor.Values.ToArray();
            var actual = two.Tensors.Single(t => t.Name == tensor.Name).Values.ToArray();
            var scale = Math.Max(1e-3, expected.Max(Math.Abs));
            var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) / scale;
            Assert.True(worst < 1e-5, $"'{tensor.Name}' on two shares differs by {worst:E2} of its largest value");
        }
    }

    private static ModelManifest Export(TempDirectory folder, MetaAlgorithm algorithm, string name)
    {
        var path = folder.File($"{name}.fewshot");
        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = name.StartsWith("sinusoid", StringComparison.Ordinal) ? "sinusoid" : "omniglot" },
            iterations: 1, steps: 3, measured: null);
        using var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1, WarmUp = false });
        return model.Manifest;
    }
}
