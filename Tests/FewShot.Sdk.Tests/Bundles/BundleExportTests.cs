using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>Every algorithm exports a bundle that meets the bundle contract, and every graph in it passes the ONNX checker.</summary>
public sealed class BundleExportTests
{
    public static TheoryData<string> Names => new() { "maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "relationnet", "siamese", "siamese-contrastive", "autoencoder", "finetune", "metalstm", "mann", "sinusoid-maml", "maml-support", "proto-maml-support" };

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportedBundleMeetsTheContract(string name)
    {
        using var folder = new TempDirectory();
        var algorithm = Create(name);
        var path = folder.File($"{name}.fewshot");

        var hash = BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = name.StartsWith("sinusoid") ? "sinusoid" : "omniglot" },
            iterations: 1, steps: 3, measured: null);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        foreach (var entry in BundleNames.GraphEntries)
        {
            if ((entry == BundleNames.AdaptKEntry && algorithm is IEmbeddingAdaptation) || (entry == BundleNames.StatisticsEntry && !name.EndsWith("-support", StringComparison.Ordinal)))
            {
                continue;
            }

            OnnxChecker.AssertValid(BundleFile.ReadEntry(path, entry), $"{name} {entry}");
        }
    }

    [Fact]
    public void ACallersOwnDatasetIsNotDescribedAsSinusoidInputs()
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 8, FeatureNormalization.Instance), TaskKind.Classification);
        var path = folder.File("arrays.fewshot");

        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { Dataset = "my-arrays" }, iterations: 1, steps: 1, measured: null);

        var manifest = FewShot.Bundles.ManifestJson.Read(BundleFile.ReadEntry(path, BundleNames.ManifestEntry));
        Assert.DoesNotContain("sinusoid", manifest.Input.Normalization!.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("my-arrays", manifest.Input.Normalization.Text, StringComparison.Ordinal);
        Assert.Null(manifest.Input.Preprocessing);
    }

    [Fact]
    public void ParametersOfAnotherModelAreRefusedByCount()
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 8, FeatureNormalization.Instance), TaskKind.Classification);
        var path = folder.File("arrays.fewshot");
        var values = algorithm.Initialize(new Random(1));

        var error = Assert.Throws<ArgumentException>(() => BundleExport.Write(path, algorithm, values[..2], new RunConfiguration { Dataset = "my-arrays" }, iterations: 1, steps: 1, measured: null));

        Assert.Contains($"2 meta-parameter tensors were given, but maml's conv4 has {values.Length}", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ACancelledMeasurementLeavesTheDestinationAsItWas()
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 8, FeatureNormalization.Instance), TaskKind.Classification);
        var classes = InMemoryDataset.FromClassMajor(NpyArray.Create(new float[5 * 2 * 28 * 28], 5, 2, 1, 28, 28));
        var path = folder.File("arrays.fewshot");
        File.WriteAllText(path, "an earlier export");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => BundleExport.WriteMeasured(path, algorithm, algorithm.Initialize(new Random(1)),
            new RunConfiguration { Dataset = "my-arrays" }, iterations: 1, steps: 1, new EpisodeTaskSource(new EpisodeSampler(classes, 5, 1, 1)), episodes: 10,
            cancellationToken: cancelled.Token));

        Assert.Equal("an earlier export", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
        var missing = folder.File(Path.Combine("missing", "arrays.fewshot"));
        var error = Assert.Throws<DirectoryNotFoundException>(() => BundleExport.WriteMeasured(missing, algorithm, algorithm.Initialize(new Random(1)),
            new RunConfiguration { Dataset = "my-arrays" }, iterations: 1, steps: 1, new EpisodeTaskSource(new EpisodeSampler(classes, 5, 1, 1)), episodes: 10));
        Assert.Contains($"cannot write '{missing}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMeasuredAccuracyStatesTheWaysAndShotsOfTheEpisodesItWasMeasuredOn()
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(new Mlp(4, 8, 3), TaskKind.Classification);
        var random = new Random(3);
        var classes = InMemoryDataset.FromClassMajor(NpyArray.Create(Enumerable.Range(0, 4 * 4 * 4).Select(_ => (float)random.NextDouble()).ToArray(), 4, 4, 4));
        var path = folder.File("features.fewshot");

        // The run's ways and shots are the defaults, 5 and 1: the figure is of 3-way 2-shot episodes all the same.
        BundleExport.WriteMeasured(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { Dataset = "my-arrays" }, iterations: 1, steps: 1,
            new EpisodeTaskSource(new EpisodeSampler(classes, 3, 2, 1)), episodes: 3, threads: 1);

        var metrics = ManifestJson.Read(BundleFile.ReadEntry(path, BundleNames.ManifestEntry)).Provenance.Metrics!;
        Assert.Equal((3, 2, 3), (metrics.Ways, metrics.Shots, metrics.Episodes));
    }

    [Fact]
    public void ARegressionBundleClaimsNoWays_ItsMeasuredErrorIsNotAnAccuracy()
    {
        using var folder = new TempDirectory();
        var algorithm = Create("sinusoid-maml");
        var path = folder.File("sinusoid.fewshot");

        var (_, measured) = BundleExport.WriteMeasured(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { Dataset = "sinusoid" }.WithoutInapplicableSettings(),
            iterations: 1, steps: 1, new SinusoidTaskSource(10, 5), episodes: 3, threads: 1);

        Assert.False(measured.IsAccuracy);
        using var manifest = System.Text.Json.JsonDocument.Parse(BundleFile.ReadEntry(path, BundleNames.ManifestEntry));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, manifest.RootElement.GetProperty("provenance").GetProperty("metrics").ValueKind);
        Assert.DoesNotContain("\"ways\"", manifest.RootElement.GetRawText(), StringComparison.Ordinal);
        using var model = FewShot.Runtime.Bundles.FewShotModel.Load(path);
        Assert.Equal(OutputKind.Regression, model.Manifest.Output.Kind);
    }

    [Theory]
    [InlineData(FeatureNormalization.Batch)]
    [InlineData(FeatureNormalization.Instance)]
    [InlineData(FeatureNormalization.Support)]
    public void Conv4Predictions_ConvolveTheInputBatchInSlices(FeatureNormalization normalization)
    {
        using var folder = new TempDirectory();
        // 16 channels: the first block folds its normalization, so its convolution of "x" is read by max-pooling alone.
        var algorithm = new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 16, normalization), TaskKind.Classification);
        var path = folder.File("maml.fewshot");

        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot" }, iterations: 1, steps: 2, measured: null);

        var predict = FewShot.Exporters.Onnx.ModelProto.Parser.ParseFrom(BundleFile.ReadEntry(path, BundleNames.PredictEntry)).Graph;
        var slices = predict.Node.Where(n => n.OpType == "Slice" && n.Input[0] == BundleNames.X).Select(n => n.Output[0]).ToHashSet();
        Assert.DoesNotContain(predict.Node, n => n.OpType == "Conv" && n.Input[0] == BundleNames.X);
        Assert.Equal(PooledConvolutionSlices.Slices, predict.Node.Count(n => n.OpType == "Conv" && slices.Contains(n.Input[0])));
        var adapt = FewShot.Exporters.Onnx.ModelProto.Parser.ParseFrom(BundleFile.ReadEntry(path, BundleNames.AdaptEntry)).Graph;
        Assert.DoesNotContain(adapt.Node, n => n.OpType == "Slice" && n.Input[0] == BundleNames.SupportX && adapt.Node.Any(c => c.OpType == "Conv" && c.Input[0] == n.Output[0]));
    }

    internal static MetaAlgorithm Create(string name)
    {
        var conv4 = new Conv4([1, 28, 28], outputs: 5, channels: 8);
        return name switch
        {
            "maml" => new Maml(conv4, TaskKind.Classification),
            "fomaml" => new FirstOrderMaml(conv4, TaskKind.Classification),
            "metasgd" => new MetaSgd(conv4, TaskKind.Classification),
            "anil" => new Anil(conv4, TaskKind.Classification),
            "reptile" => new Reptile(conv4, TaskKind.Classification),
            "protonet" => new ProtoNet(new Conv4([1, 28, 28], 0, 8)),
            "relationnet" => new RelationNet(new RelationNetwork([1, 28, 28], channels: 8)),
            "siamese" => new Siamese(new SiameseNetwork(new Conv4([1, 28, 28], 0, 8), SiameseLoss.Verification)),
            "siamese-contrastive" => new Siamese(new SiameseNetwork(new Conv4([1, 28, 28], 0, 8), SiameseLoss.Contrastive)),
            "autoencoder" => new MetaAutoencoder(new ConvAutoencoder([1, 28, 28], 16, 4)),
            "finetune" => new FineTune(new Conv4([1, 28, 28], 20, 8), conv4),
            "metalstm" => new LearnedOptimizer(conv4, new InnerLoopOptions { Steps = 3 }, hiddenSize: 6),
            "mann" => new Mann(new Conv4([1, 28, 28], 0, 8), 5),
            "maml-support" => new Maml(new Conv4([1, 28, 28], 5, 8, FeatureNormalization.Support), TaskKind.Classification),
            "proto-maml-support" => new Maml(new Conv4([1, 28, 28], 5, 8, FeatureNormalization.Support), TaskKind.Classification, new InnerLoopOptions { LearningRate = 0.01f, PrototypeHead = true }),
            _ => new Maml(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { LearningRate = 0.01f }),
        };
    }
}
