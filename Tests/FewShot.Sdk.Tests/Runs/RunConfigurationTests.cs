using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>
/// A new run's normalization is its learner's default unless given, run.json keeps the normalization a run trained with
/// (runs written before the setting trained with batch statistics),
/// and a run's default evaluation steps follow from how it trained.
/// </summary>
public sealed class RunConfigurationTests
{
    [Theory]
    [InlineData("maml", FeatureNormalization.Support)]
    [InlineData("fomaml", FeatureNormalization.Support)]
    [InlineData("metasgd", FeatureNormalization.Support)]
    [InlineData("reptile", FeatureNormalization.Support)]
    [InlineData("anil", FeatureNormalization.Instance)]
    [InlineData("protonet", FeatureNormalization.Instance)]
    [InlineData("relationnet", FeatureNormalization.Instance)]
    public void ANewRunIsInductiveWithItsLearnersDefaultAndRunJsonRecordsIt(string algorithm, FeatureNormalization expected)
    {
        using var folder = new TempDirectory();
        var configuration = new RunConfiguration { Algorithm = algorithm, Dataset = "omniglot" };
        Assert.Equal(expected, configuration.NormalizationMode);
        configuration.Save(folder.Path);

        // Recorded by name, so that a later change of the defaults cannot change how a resumed run trains.
        Assert.Contains($"\"normalization\": \"{expected.Name()}\"", File.ReadAllText(Path.Combine(folder.Path, RunConfiguration.FileName)), StringComparison.Ordinal);
        Assert.Equal(expected, RunConfiguration.Load(folder.Path).NormalizationMode);
    }

    [Fact]
    public void ANewRunKeepsTheNormalizationItWasGiven()
    {
        using var folder = new TempDirectory();
        new RunConfiguration { Algorithm = "maml", Dataset = "omniglot", Normalization = "group" }.Save(folder.Path);

        Assert.Equal(FeatureNormalization.Group, RunConfiguration.Load(folder.Path).NormalizationMode);
        Assert.Equal(FeatureNormalization.Instance, (RunConfiguration.Load(folder.Path) with { Normalization = "instance" }).NormalizationMode);
    }

    [Fact]
    public void ARunWrittenBeforeTheSettingLoadsAsBatchStatistics()
    {
        using var folder = new TempDirectory();
        new RunConfiguration { Algorithm = "protonet", Dataset = "omniglot" }.Save(folder.Path);
        var path = Path.Combine(folder.Path, RunConfiguration.FileName);
        var json = File.ReadAllText(path);
        File.WriteAllText(path, json.Replace("\"normalization\": \"instance\",", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("normalization", File.ReadAllText(path), StringComparison.Ordinal);

        Assert.Equal(FeatureNormalization.Batch, RunConfiguration.Load(folder.Path).NormalizationMode);
    }

    [Fact]
    public void SettingsThatDoNotApplyAreLeftOut_AndReadFromAnOlderFileAsDefaults()
    {
        using var folder = new TempDirectory();
        var sinusoid = new RunConfiguration { Algorithm = "maml", Dataset = "sinusoid", Shots = 10 };
        sinusoid.Save(folder.Path);
        var path = Path.Combine(folder.Path, RunConfiguration.FileName);
        var json = File.ReadAllText(path);
        Assert.All(["split", "ways", "trainWays", "normalization", "downsampling", "channels", "imageSize"], name => Assert.DoesNotContain($"\"{name}\"", json, StringComparison.Ordinal));
        Assert.Equal(sinusoid, RunConfiguration.Load(folder.Path));

        // A run.json written before recorded them all, here as a sinusoid request given --ways 3 and --norm instance would have.
        File.WriteAllText(path, json.Replace("{", "{ \"split\": \"paper\", \"ways\": 3, \"trainWays\": 3, \"normalization\": \"instance\", \"channels\": 8, \"imageSize\": 32,", StringComparison.Ordinal));
        Assert.Equal(sinusoid, RunConfiguration.Load(folder.Path));
        Assert.Equal(sinusoid, (sinusoid with { Split = "paper", Ways = 3, Normalization = "instance" }).WithoutInapplicableSettings());

        // Omniglot's runs keep them all; other image data has no split.
        var omniglot = new RunConfiguration { Algorithm = "maml", Dataset = "omniglot", Split = "paper", Ways = 3, Normalization = "group" };
        Assert.Equal(omniglot, omniglot.WithoutInapplicableSettings());
        Assert.Equal("lake", (omniglot with { Dataset = "folder" }).WithoutInapplicableSettings().Split);
    }

    [Fact]
    public void AnUnknownNormalizationIsNamed() =>
        Assert.Contains("unknown normalization 'batchnorm'", Assert.Throws<ArgumentException>(() => new RunConfiguration { Normalization = "batchnorm" }.NormalizationMode).Message);

    [Fact]
    public void ConvFourDownsamplesByMaxPoolingUnlessTheRunSaysStride()
    {
        using var folder = new TempDirectory();
        new RunConfiguration { Algorithm = "maml", Dataset = "omniglot" }.Save(folder.Path);
        var path = Path.Combine(folder.Path, RunConfiguration.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"downsampling\": \"maxpool\",", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("downsampling", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(Conv4Downsampling.MaxPool, RunConfiguration.Load(folder.Path).DownsamplingMode);

        new RunConfiguration { Algorithm = "maml", Dataset = "omniglot", Downsampling = "stride" }.Save(folder.Path);
        Assert.Equal(Conv4Downsampling.Stride, RunConfiguration.Load(folder.Path).DownsamplingMode);
        Assert.Contains("unknown conv4 downsampling 'avgpool'", Assert.Throws<ArgumentException>(() => new RunConfiguration { Downsampling = "avgpool" }.DownsamplingMode).Message);
    }

    [Theory]
    [InlineData(1, false, 3)]
    [InlineData(5, false, 5)]
    [InlineData(1, true, 1)]
    [InlineData(2, true, 2)]
    public void MamlEvaluatesWithMoreStepsThanItTrainedUnlessItsStepRatesWereLearned(int innerSteps, bool learnedRates, int expected) =>
        Assert.Equal(expected, new RunConfiguration { Algorithm = "maml", InnerSteps = innerSteps, PerStepLearningRates = learnedRates }.DefaultEvaluationSteps);
}
