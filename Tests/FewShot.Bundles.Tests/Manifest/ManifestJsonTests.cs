using System.Text;

namespace FewShot.Bundles.Tests.Manifest;

public sealed class ManifestJsonTests
{
    private static readonly ModelManifest Valid = new()
    {
        Algorithm = "maml",
        Model = "conv4",
        Input = new ManifestInput { Shape = [1, 28, 28], Normalization = new ManifestNormalization { Text = "strokes 1.0" }, Preprocessing = ManifestPreprocessing.Omniglot },
        Output = new ManifestOutput { Kind = OutputKind.Logits, Size = 5 },
        Classes = new ManifestClasses { Min = 1, Max = 5 },
        InnerLoop = new ManifestInnerLoop { Steps = 5, LearningRate = 0.4, FirstOrder = false, AdaptedParameters = ["w"] },
        Parameters = [new ManifestParameter { Name = "w", Shape = [5, 784] }],
        Files = new Dictionary<string, string>
        {
            ["parameters.bin"] = new('a', 64), ["predict.onnx"] = new('b', 64), ["adapt.onnx"] = new('c', 64), ["adapt_k.onnx"] = new('d', 64),
        },
        Provenance = new ManifestProvenance { Dataset = "omniglot", Split = "background", Iterations = 10, Seed = 1 },
    };

    [Fact]
    public void WriteThenRead_GivesTheSameManifest_WithPreprocessingSpelledOut()
    {
        byte[] json = ManifestJson.Write(Valid);
        ModelManifest read = ManifestJson.Read(json);

        Assert.Contains("\"preprocessing\": {\n      \"channels\": \"gray\",\n      \"resize\": \"area\",\n      \"min\": 0,\n      \"max\": 1,\n      \"bright\": \"strokes\"",
            Encoding.UTF8.GetString(json).Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(ManifestPreprocessing.Omniglot, read.Input.Preprocessing);
        Assert.Equal(2, read.FormatVersion);
        Assert.Equal(Valid.Files, read.Files);
    }

    [Fact]
    public void FormatOne_IsRefusedWithTheUpgradeCommand() =>
        Assert.Contains("upgrade the bundle with `fewshot export --upgrade old.fewshot --out new.fewshot`",
            Assert.Throws<BundleFormatException>(() => ManifestJson.Read(Edit(json => json.Replace("\"formatVersion\": 2", "\"formatVersion\": 1")))).Message);

    [Theory]
    [InlineData("\"bright\": \"strokes\"", "\"bright\": \"ink\"", "does not match the manifest schema")]
    [InlineData("\"preprocessing\": {", "\"preprocessing\": null, \"extra\": {", "does not match the manifest schema")]
    [InlineData("\"min\": 0,", "\"min\": 2,", "input.preprocessing's min (2) and max (1) must be finite with min < max")]
    [InlineData("\"channels\": \"gray\"", "\"channels\": \"rgb\"", "input.preprocessing describes images of 3 channels, [3, height, width]")]
    [InlineData("\"parameters.bin\"", "\"weights.bin\"", "files has no SHA-256 for 'parameters.bin'")]
    public void BrokenFields_AreRefusedByName(string find, string replace, string expected) =>
        Assert.Contains(expected, Assert.Throws<BundleFormatException>(() => ManifestJson.Read(Edit(json => json.Replace(find, replace)))).Message);

    [Fact]
    public void MissingPreprocessing_IsAnError_ButNullIsAllowed()
    {
        Assert.Null(ManifestJson.Read(ManifestJson.Write(Valid with { Input = Valid.Input with { Preprocessing = null } })).Input.Preprocessing);
        string withNull = Encoding.UTF8.GetString(ManifestJson.Write(Valid with { Input = Valid.Input with { Preprocessing = null } }));

        Assert.Contains("preprocessing", Assert.Throws<BundleFormatException>(() => ManifestJson.Read(Encoding.UTF8.GetBytes(
            withNull.Replace(",\n    \"preprocessing\": null", string.Empty, StringComparison.Ordinal)))).Message);
    }

    [Fact]
    public void Rules_AreTheWritersToo() =>
        Assert.Equal("innerLoop.adaptedParameters names 'v', which is not a parameter (parameters: w)",
            ManifestRules.FindProblem(Valid with { InnerLoop = Valid.InnerLoop! with { AdaptedParameters = ["v"] } }));

    [Theory]
    [InlineData("group", false)]
    [InlineData("instance", false)]
    [InlineData("layer", false)]
    [InlineData("none", false)]
    [InlineData("batch", true)]
    public void FeatureNormalization_SaysWhetherPredictionsDependOnTheBatch(string normalization, bool transductive)
    {
        var manifest = Valid with { FeatureNormalization = normalization, BatchNorm = transductive ? ModelManifest.BatchStatisticsText : null };

        ModelManifest read = ManifestJson.Read(ManifestJson.Write(manifest));

        Assert.Equal(normalization, read.FeatureNormalization);
        Assert.Equal(transductive, read.PredictionsDependOnBatch);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ABundleWrittenBeforeFeatureNormalization_LoadsAndIsTransductiveExactlyWithBatchNorm(bool batchNorm)
    {
        string json = Encoding.UTF8.GetString(ManifestJson.Write(Valid with { BatchNorm = batchNorm ? ModelManifest.BatchStatisticsText : null }));
        string old = json.Replace(",\n  \"featureNormalization\": null", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("featureNormalization", old, StringComparison.Ordinal);

        ModelManifest read = ManifestJson.Read(Encoding.UTF8.GetBytes(old));

        Assert.Null(read.FeatureNormalization);
        Assert.Equal(batchNorm, read.PredictionsDependOnBatch);
    }

    [Theory]
    [InlineData("batchnorm", null, "featureNormalization is 'batchnorm'; expected one of none, group, instance, layer, batch")]
    [InlineData("group", ModelManifest.BatchStatisticsText, "batchNorm is set but featureNormalization is 'group', which has no batch statistics")]
    [InlineData("batch", null, "featureNormalization is 'batch' but batchNorm is null")]
    public void FeatureNormalization_RulesNameTheField(string normalization, string? batchNorm, string expected) =>
        Assert.StartsWith(expected, ManifestRules.FindProblem(Valid with { FeatureNormalization = normalization, BatchNorm = batchNorm }));

    [Fact]
    public void CarriedState_IsLeftOutWhenNull_AndReadBackWhenGiven()
    {
        Assert.DoesNotContain("carriedState", Encoding.UTF8.GetString(ManifestJson.Write(Valid)), StringComparison.Ordinal);
        Assert.Null(ManifestJson.Read(ManifestJson.Write(Valid)).InnerLoop!.CarriedState);
        ModelManifest carrying = Valid with
        {
            Parameters = [.. Valid.Parameters, new ManifestParameter { Name = "opt.h", Shape = [3925, 20] }],
            InnerLoop = Valid.InnerLoop! with { CarriedState = ["opt.h"] },
        };

        ModelManifest read = ManifestJson.Read(ManifestJson.Write(carrying));

        Assert.Equal(["opt.h"], read.InnerLoop!.CarriedState);
        Assert.Equal(["w", "opt.h"], read.InnerLoop.State);
    }

    [Theory]
    [InlineData("v", "innerLoop.carriedState names 'v', which is not a parameter")]
    [InlineData("w", "innerLoop.carriedState names 'w' twice or also as an adapted parameter")]
    public void CarriedState_MustBeParametersNotAdapted(string name, string expected) =>
        Assert.StartsWith(expected, ManifestRules.FindProblem(Valid with { InnerLoop = Valid.InnerLoop! with { CarriedState = [name] } }));

    private static byte[] Edit(Func<string, string> edit) => Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(ManifestJson.Write(Valid))));
}
