namespace FewShot.Bundles.Tests.Graphs;

/// <summary>
/// The contract of statistics.onnx (support statistics computed once after the steps): the manifest's innerLoop.statistics
/// names adapted state that the one-step graph neither takes nor outputs, that statistics.onnx outputs from the support
/// set, and that adapt_k.onnx outputs with the rest; the bundle then holds the entry. Checked for writer and runtime alike.
/// </summary>
public sealed class StatisticsContractTests
{
    private static readonly ModelManifest Manifest = new()
    {
        Algorithm = "maml",
        Model = "conv4",
        Input = new ManifestInput { Shape = [1, 28, 28], Normalization = new ManifestNormalization { Text = "test" } },
        Output = new ManifestOutput { Kind = OutputKind.Logits, Size = 5 },
        Classes = new ManifestClasses { Min = 1, Max = 5 },
        FeatureNormalization = FeatureNormalizationNames.Support,
        InnerLoop = new ManifestInnerLoop { Steps = 5, LearningRate = 0.4, FirstOrder = false, AdaptedParameters = ["w", "mean"], Statistics = ["mean"] },
        Parameters = [new ManifestParameter { Name = "w", Shape = [4] }, new ManifestParameter { Name = "mean", Shape = [4] }],
        Files = new Dictionary<string, string>
        {
            ["parameters.bin"] = new('a', 64), ["predict.onnx"] = new('b', 64), ["adapt.onnx"] = new('c', 64), ["adapt_k.onnx"] = new('d', 64),
            ["statistics.onnx"] = new('e', 64),
        },
        Provenance = new ManifestProvenance { Dataset = "omniglot", Split = "lake", Iterations = 0, Seed = 0 },
    };

    private static readonly TensorSignature SupportX = new(BundleNames.SupportX, GraphElementType.Float, [null, 1, 28, 28]);
    private static readonly TensorSignature SupportY = new(BundleNames.SupportY, GraphElementType.Int64, [null]);
    private static readonly TensorSignature Weight = new("w", GraphElementType.Float, [4]);
    private static readonly TensorSignature Mean = new("mean", GraphElementType.Float, [4]);
    private static readonly TensorSignature AdaptedWeight = new(BundleNames.Adapted("w"), GraphElementType.Float, [4]);
    private static readonly TensorSignature AdaptedMean = new(BundleNames.Adapted("mean"), GraphElementType.Float, [4]);

    private static GraphSignature Graph(TensorSignature[] inputs, params TensorSignature[] outputs) => new(inputs, outputs, new HashSet<string>());

    [Fact]
    public void TheStepCarriesTheRestAndTheStatisticsGraphComputesTheStatistics()
    {
        Assert.Null(ManifestRules.FindProblem(Manifest));
        Assert.Equal([BundleNames.PredictEntry, BundleNames.AdaptEntry, BundleNames.AdaptKEntry, BundleNames.StatisticsEntry], ManifestRules.GraphEntries(Manifest));
        Assert.Equal(["w"], Manifest.InnerLoop!.StepState);

        GraphUse step = GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Graph([Weight, SupportX, SupportY], AdaptedWeight));
        GraphUse statistics = GraphExpectations.Check(Manifest, BundleNames.StatisticsEntry, Graph([Weight, SupportX], AdaptedMean));
        GraphUse unrolled = GraphExpectations.Check(Manifest, BundleNames.AdaptKEntry, Graph([Weight, SupportX, SupportY], AdaptedWeight, AdaptedMean));

        Assert.Equal([BundleNames.Adapted("w")], step.Outputs);
        Assert.Equal([BundleNames.Adapted("mean")], statistics.Outputs);
        Assert.Equal(["w"], statistics.Parameters);
        Assert.Equal([BundleNames.Adapted("w"), BundleNames.Adapted("mean")], unrolled.Outputs);
    }

    [Fact]
    public void AStepThatTakesOrOutputsTheStatisticsIsRefused()
    {
        var outputs = Assert.Throws<BundleFormatException>(() =>
            GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Graph([Weight, SupportX, SupportY], AdaptedWeight, AdaptedMean)));
        Assert.Contains("outputs 'adapted.mean', which innerLoop.statistics lists", outputs.Message, StringComparison.Ordinal);

        var inputs = Assert.Throws<BundleFormatException>(() =>
            GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Graph([Weight, Mean, SupportX, SupportY], AdaptedWeight)));
        Assert.Contains("takes 'mean', which innerLoop.statistics lists", inputs.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStatisticsGraphReadsTheSupportExamplesAloneAndOutputsEveryStatistic()
    {
        var labels = Assert.Throws<BundleFormatException>(() =>
            GraphExpectations.Check(Manifest, BundleNames.StatisticsEntry, Graph([Weight, SupportX, SupportY], AdaptedMean)));
        Assert.Contains("takes input 'support_y'", labels.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<BundleFormatException>(() =>
            GraphExpectations.Check(Manifest, BundleNames.StatisticsEntry, Graph([Weight, SupportX], AdaptedWeight)));
        Assert.Contains("has no output 'adapted.mean'", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "v" }, "innerLoop.statistics names 'v', which is not an adapted parameter")]
    [InlineData(new[] { "mean", "mean" }, "innerLoop.statistics names 'mean' twice")]
    [InlineData(new[] { "w", "mean" }, "innerLoop.statistics names every adapted parameter")]
    [InlineData(new string[0], "innerLoop.statistics is empty")]
    public void TheStatisticsMustBeSomeOfTheAdaptedParameters(string[] statistics, string expected) =>
        Assert.StartsWith(expected, ManifestRules.FindProblem(Manifest with { InnerLoop = Manifest.InnerLoop! with { Statistics = statistics } }));

    [Fact]
    public void TheEntryIsListedExactlyWhenTheManifestNamesStatistics()
    {
        var files = Manifest.Files.Where(f => f.Key != BundleNames.StatisticsEntry).ToDictionary(f => f.Key, f => f.Value);
        Assert.StartsWith("files has no SHA-256 for 'statistics.onnx'", ManifestRules.FindProblem(Manifest with { Files = files }));
        Assert.StartsWith("files lists 'statistics.onnx'", ManifestRules.FindProblem(Manifest with { InnerLoop = Manifest.InnerLoop! with { Statistics = null } }));

        // Without the field, manifests read as before: no statistics graph, and the step carries every adapted parameter.
        ModelManifest read = ManifestJson.Read(ManifestJson.Write(Manifest with { InnerLoop = Manifest.InnerLoop! with { Statistics = null }, Files = files }));
        Assert.Null(read.InnerLoop!.Statistics);
        Assert.Equal(["w", "mean"], read.InnerLoop.StepState);
        Assert.Equal(["mean"], ManifestJson.Read(ManifestJson.Write(Manifest)).InnerLoop!.Statistics);
    }
}
