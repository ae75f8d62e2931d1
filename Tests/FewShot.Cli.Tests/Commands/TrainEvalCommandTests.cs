using System.Text.Json;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class TrainEvalCommandTests : IDisposable
{
    // 5-way 1-shot Omniglot tasks on an 8-channel conv4 with no validation: the options of the quick conv4 runs below.
    private static readonly string[] TinyOmniglot =
        ["--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "paper", "--ways", "5", "--shots", "1", "--queries", "2", "--channels", "8", "--validate-every", "0"];

    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SinusoidTrainThenEvalReportsMseAsJson()
    {
        var run = Path.Combine(_folder, "sin");
        var train = Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "10", "--queries", "10", "--iterations", "50", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var eval = Run("eval", "--run", run, "--episodes", "20", "--inner-steps", "5", "--json");

        Assert.True(eval.Exit == 0, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        Assert.True(json.RootElement.GetProperty("mse").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("ci95").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("accuracy").ValueKind);
        Assert.Equal("none", json.RootElement.GetProperty("split").GetString()); // sinusoid has no split
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("ways").ValueKind); // nor classes
        Assert.Equal("none", json.RootElement.GetProperty("normalization").GetString()); // nor normalization layers

        var table = Run("eval", run, "--episodes", "20", "--inner-steps", "5");

        Assert.True(table.Exit == 0, table.Error);
        Assert.StartsWith("maml on sinusoid, 10-shot, 10 queries, 5 steps", table.Output, StringComparison.Ordinal); // no split, no ways
        var mse = json.RootElement.GetProperty("mse").GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
        var row = table.Output.Split('\n').Single(l => l.Contains(" mse ", StringComparison.Ordinal));
        Assert.Contains(mse, row);
        Assert.Contains("20", row);
        Assert.Contains("± 95% CI", table.Output);
        Assert.DoesNotContain("accuracy", table.Output);
        Assert.DoesNotContain('\u001b', table.Output);
    }

    [Fact]
    public void AnOmniglotRunResumesWithoutDatasetDataOrSplit_TakingTheRecordedOnes()
    {
        var run = Path.Combine(_folder, "paper");
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. TinyOmniglot, "--threads", "1", "--iterations", "2", "--out", run]).Exit);

        // TinyOmniglot without "--dataset omniglot --data <path> --split paper" (its first six).
        var resumed = Run(["train", "--algorithm", "protonet", .. TinyOmniglot[6..], "--threads", "1", "--iterations", "3", "--out", run]);

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        var recorded = RunConfiguration.Load(run);
        Assert.Equal(("omniglot", "paper"), (recorded.Dataset, recorded.Split));
    }

    [Fact]
    public void ASinusoidRunJsonLeavesOutWhatDoesNotApply_AndOneWrittenBeforeWithThemResumes()
    {
        var run = Path.Combine(_folder, "sin-settings");
        var path = Path.Combine(run, RunConfiguration.FileName);
        string[] options = ["train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "10", "--queries", "10", "--threads", "1", "--out", run];
        Assert.Equal(0, Run([.. options, "--iterations", "2"]).Exit);
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        string[] inapplicable = ["split", "ways", "trainWays", "normalization", "downsampling", "channels", "imageSize"];
        Assert.All(inapplicable, name => Assert.False(written.ContainsKey(name), $"run.json records {name}"));

        // As run.json was written before: every setting, whether it applied or not (the demo's said "split": "lake", "normalization": "support").
        written["split"] = "lake";
        written["ways"] = 5;
        written["trainWays"] = null;
        written["normalization"] = "support";
        written["downsampling"] = "maxpool";
        written["channels"] = 64;
        written["imageSize"] = 28;
        File.WriteAllText(path, written.ToJsonString());
        var resumed = Run([.. options, "--iterations", "4"]);

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.DoesNotContain("\"split\"", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void OmniglotEvalReportsAccuracyAsAFraction()
    {
        var run = Path.Combine(_folder, "proto");
        var train = Run("train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "paper",
            "--ways", "5", "--shots", "1", "--queries", "2", "--iterations", "3", "--channels", "8", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var eval = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "5", "--json");

        Assert.True(eval.Exit == 0, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(json.RootElement.GetProperty("ci95").GetDouble(), 0, 1);
        Assert.Equal(2, json.RootElement.GetProperty("queriesPerClass").GetInt32());

        var more = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--queries", "7", "--episodes", "5");
        var none = Run("eval", "--run", run, "--queries", "0", "--episodes", "5");

        Assert.True(more.Exit == 0, more.Error);
        Assert.Contains("5-way 1-shot, 7 queries per class", more.Output);
        Assert.Equal(1, none.Exit);
        Assert.Contains("--queries must be at least 1", none.Error);
    }

    [Fact]
    public void ParameterGeneratorRunReportsItsMseBesideNothingGenerated()
    {
        var run = Path.Combine(_folder, "ae-generator");
        var train = Run("train", "--algorithm", "ae-generator", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "lake",
            "--ways", "2", "--shots", "2", "--queries", "2", "--iterations", "3", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var eval = Run("eval", "--run", run, "--episodes", "3", "--json");

        Assert.True(eval.Exit == 0, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("mse").GetDouble() > 0);
        Assert.True(root.GetProperty("mseWithoutGeneration").GetDouble() > 0);
        Assert.Equal(1, root.GetProperty("steps").GetInt32());

        // The autoencoder has no normalization layers, whatever the run's --norm default says.
        Assert.Equal("none", root.GetProperty("normalization").GetString());
        var table = Run("eval", "--run", run, "--episodes", "3");
        Assert.True(table.Exit == 0, table.Error);
        Assert.Contains("no normalization layers", table.Output);
        Assert.Contains("nothing generated", table.Output);
    }

    [Fact]
    public void ThroughTheRuntimeAnInductiveRunScoresTheSameAloneAsInBatches()
    {
        var run = Path.Combine(_folder, "proto-group");
        var train = Run("train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "paper",
            "--ways", "5", "--shots", "1", "--queries", "2", "--iterations", "3", "--channels", "8", "--norm", "group", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var batch = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "4", "--runtime", "--json");
        var alone = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "4", "--single-queries", "--json");

        Assert.True(batch.Exit == 0, batch.Error);
        Assert.True(alone.Exit == 0, alone.Error);
        using var batchJson = JsonDocument.Parse(batch.Output);
        using var aloneJson = JsonDocument.Parse(alone.Output);
        Assert.Equal("runtime", batchJson.RootElement.GetProperty("engine").GetString());
        Assert.Equal("batch", batchJson.RootElement.GetProperty("queries").GetString());
        Assert.Equal("runtime", aloneJson.RootElement.GetProperty("engine").GetString());
        Assert.Equal("single", aloneJson.RootElement.GetProperty("queries").GetString());
        Assert.Equal(batchJson.RootElement.GetProperty("accuracy").GetDouble(), aloneJson.RootElement.GetProperty("accuracy").GetDouble(), 9);
    }

    [Fact]
    public void WithinAlphabetEpisodesAreReportedBesideTheUsualOnes()
    {
        var run = Path.Combine(_folder, "proto-lake");
        var train = Run("train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "lake",
            "--ways", "5", "--shots", "1", "--queries", "2", "--iterations", "3", "--channels", "8", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var eval = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "5", "--within-alphabet", "--json");
        var table = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "5", "--within-alphabet");
        var tooMany = Run("eval", "--run", run, "--ways", "21", "--shots", "1", "--episodes", "5", "--within-alphabet");

        Assert.True(eval.Exit == 0, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
        var within = json.RootElement.GetProperty("withinAlphabet");
        Assert.InRange(within.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.Equal(5, within.GetProperty("episodes").GetInt32());
        Assert.True(table.Exit == 0, table.Error);
        Assert.Contains("accuracy, within one alphabet", table.Output);
        Assert.Equal(1, tooMany.Exit);
        Assert.Contains("alphabet 'Angelic' has 20 classes, but a 21-way episode", tooMany.Error);
    }

    [Fact]
    public void MamlPlusPlusOptionsAreStoredInTheRunAndNeedAnIterationCount()
    {
        var run = Path.Combine(_folder, "mamlpp");
        var train = Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--inner-steps", "2", "--iterations", "30", "--mamlpp", "--out", run);
        var unbounded = Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--minutes", "1", "--mamlpp", "--out", Path.Combine(_folder, "unbounded"));

        Assert.True(train.Exit == 0, train.Error);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.True(configuration.RootElement.GetProperty("perStepLearningRates").GetBoolean());
        Assert.Equal(3, configuration.RootElement.GetProperty("multiStepLossIterations").GetInt32());
        Assert.Equal(10, configuration.RootElement.GetProperty("firstOrderIterations").GetInt32());
        Assert.Equal(30, configuration.RootElement.GetProperty("cosineIterations").GetInt32());
        var resumed = Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--inner-steps", "2", "--iterations", "40", "--mamlpp", "--out", run);
        Assert.True(resumed.Exit == 0, resumed.Error);
        using var kept = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal(30, kept.RootElement.GetProperty("cosineIterations").GetInt32());
        Assert.Equal(40, kept.RootElement.GetProperty("iterations").GetInt32());
        // --out and --iterations alone: every setting, the MAML++ pieces and their lengths included, is the run's.
        var before = RunConfiguration.Load(run);
        var bare = Run("train", "--out", run, "--iterations", "45");
        Assert.True(bare.Exit == 0, bare.Error);
        Assert.Contains("Resuming", bare.Output);
        Assert.Equal(before with { Iterations = 45 }, RunConfiguration.Load(run));
        Assert.Equal(45, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(1, unbounded.Exit);
        Assert.Contains("give --iterations", unbounded.Error);
    }

    [Fact]
    public void TrainingAgainResumesAndADifferentRunIsRefused()
    {
        var run = Path.Combine(_folder, "resume");
        string[] common = ["train", "--algorithm", "fomaml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--out", run];
        Assert.Equal(0, Run([.. common, "--iterations", "10"]).Exit);

        var resumed = Run([.. common, "--iterations", "20"]);
        var other = Run("train", "--algorithm", "reptile", "--dataset", "sinusoid", "--iterations", "20", "--out", run);
        var otherSeed = Run([.. common, "--iterations", "20", "--seed", "7"]);

        Assert.Equal(0, resumed.Exit);
        Assert.Contains("Resuming", resumed.Output);
        Assert.Equal(20, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(1, other.Exit);
        Assert.Contains("different run", other.Error);
        Assert.Contains("algorithm (fomaml there, reptile asked for)", other.Error);
        File.Delete(Path.Combine(run, Checkpoint.FileName)); // as after a kill before the first checkpoint
        var restarted = Run([.. common, "--iterations", "20"]);
        Assert.Equal(0, restarted.Exit);
        Assert.DoesNotContain("Resuming", restarted.Output);
        Assert.Contains("over from iteration 0: it has no checkpoint yet", restarted.Output);
        Assert.Equal(1, otherSeed.Exit);
        Assert.Contains("differs in seed (0 there, 7 asked for)", otherSeed.Error);
        Assert.DoesNotContain("iterations", otherSeed.Error);
    }

    [Fact]
    public void InnerStepsForALearnerWithoutGradientStepsAreRefused()
    {
        var run = Path.Combine(_folder, "proto-steps");
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. TinyOmniglot, "--iterations", "1", "--out", run]).Exit);

        var eval = Run("eval", run, "--episodes", "2", "--inner-steps", "5");

        Assert.Equal(1, eval.Exit);
        Assert.Contains("--inner-steps 5 has no effect: protonet adapts without gradient steps", eval.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunWithoutACheckpointIsReplacedByADifferentOne()
    {
        // As after a run that diverged (or was killed) before its first checkpoint: retrying with other settings needs no rm -rf.
        var run = Path.Combine(_folder, "retry");
        string[] common = ["train", "--algorithm", "fomaml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--iterations", "3", "--out", run];
        Assert.Equal(0, Run(common).Exit);
        File.Delete(Path.Combine(run, Checkpoint.FileName));

        var retried = Run([.. common, "--inner-lr", "0.005"]);

        Assert.True(retried.Exit == 0, retried.Error);
        Assert.Contains("Starting a new run", retried.Output);
        Assert.Contains("innerLearningRate", retried.Output);
        Assert.Equal(0.005, RunConfiguration.Load(run).InnerLearningRate, 6);
        Assert.True(File.Exists(Path.Combine(run, Checkpoint.FileName)));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [Fact]
    public void InitFromStartsMamlFromAProtoNetEncoderAndIsPartOfTheRun()
    {
        var proto = Path.Combine(_folder, "encoder");
        var maml = Path.Combine(_folder, "warm");
        var data = TinyOmniglot;
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. data, "--iterations", "2", "--out", proto]).Exit);
        string[] warm = ["train", "--algorithm", "maml", .. data, "--init-from", proto, "--out", maml];

        var started = Run([.. warm, "--iterations", "2"]);
        Directory.Move(proto, proto + "-moved"); // resuming continues from the run's own checkpoint, not the source
        var resumed = Run([.. warm, "--iterations", "3"]);
        var withoutIt = Run(["train", "--algorithm", "maml", .. data, "--iterations", "4", "--out", maml]);
        var missing = Run(["train", "--algorithm", "maml", .. data, "--iterations", "2", "--init-from", Path.Combine(_folder, "nothing"), "--out", Path.Combine(_folder, "x")]);

        Assert.True(started.Exit == 0, started.Error);
        Assert.Contains("16 parameters copied, 2 initialized as usual (head.weight, head.bias)", started.Output);
        Assert.Contains("trained with --norm instance and this run uses --norm support", started.Output); // each learner's default
        var sameNormalization = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--norm", "instance", "--init-from", proto + "-moved", "--out", Path.Combine(_folder, "same")]);
        Assert.True(sameNormalization.Exit == 0, sameNormalization.Error);
        Assert.DoesNotContain("--norm", sameNormalization.Output);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(maml, "run.json")));
        Assert.Equal(proto, configuration.RootElement.GetProperty("initFrom").GetString());
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming", resumed.Output);
        Assert.DoesNotContain("parameters copied", resumed.Output);
        // Left out on resuming, the source is the run's recorded one (which has moved: the run's own checkpoint continues).
        Assert.True(withoutIt.Exit == 0, withoutIt.Error);
        Assert.Contains("Resuming", withoutIt.Output);
        Assert.DoesNotContain("parameters copied", withoutIt.Output);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("nothing", missing.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "x", "run.json")), "a run that could not start was left behind");
    }

    [Fact]
    public void InitFromABundleStartsFromItsThetaAndRefusesTheOtherDownsampling()
    {
        var proto = Path.Combine(_folder, "encoder");
        var bundle = Path.Combine(_folder, "encoder.fewshot");
        var data = TinyOmniglot;
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. data, "--norm", "group", "--iterations", "2", "--out", proto]).Exit);
        Assert.Equal(0, Run("export", "--run", proto, "--out", bundle, "--episodes", "0").Exit);

        var started = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--init-from", bundle, "--out", Path.Combine(_folder, "warm")]);
        var sameNorm = Run(["train", "--algorithm", "protonet", .. data, "--norm", "group", "--iterations", "1", "--init-from", bundle, "--out", Path.Combine(_folder, "same")]);
        var strided = Run(["train", "--algorithm", "maml", "--downsample", "stride", .. data, "--iterations", "1", "--init-from", bundle, "--out", Path.Combine(_folder, "strided")]);

        Assert.True(started.Exit == 0, started.Error);
        Assert.Contains("16 parameters copied, 2 initialized as usual (head.weight, head.bias)", started.Output);
        Assert.Contains("normalizes with group and this run uses --norm support", started.Output);
        Assert.True(sameNorm.Exit == 0, sameNorm.Error);
        Assert.Contains("16 parameters copied, 0 initialized as usual" + Environment.NewLine, sameNorm.Output);
        Assert.DoesNotContain("--norm", sameNorm.Output);
        Assert.Equal(1, strided.Exit);
        Assert.Contains("holds a conv4-encoder and this run trains a conv4-strided", strided.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "strided", "run.json")), "a run that could not start was left behind");

        // A sinusoid MLP's bundle has nothing for conv4: refused, without advice to pass "--norm none", which is no option.
        var sinusoid = Path.Combine(_folder, "sinusoid");
        var mlp = Path.Combine(_folder, "sinusoid.fewshot");
        Assert.Equal(0, Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--iterations", "2", "--out", sinusoid).Exit);
        Assert.Equal(0, Run("export", "--run", sinusoid, "--out", mlp, "--episodes", "0").Exit);
        var fromMlp = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--init-from", mlp, "--out", Path.Combine(_folder, "from-mlp")]);
        Assert.Equal(1, fromMlp.Exit);
        Assert.Contains("holds no parameter of this model", fromMlp.Error);
        Assert.DoesNotContain("--norm none", fromMlp.Output);
    }

    [Fact]
    public void TrainingBlocksArePartOfTheRunAndAreChecked()
    {
        var run = Path.Combine(_folder, "blocks");
        string[] data = ["--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "lake", "--ways", "5", "--shots", "1", "--queries", "2", "--channels", "8", "--validate-every", "0"];

        var train = Run(["train", "--algorithm", "protonet", .. data, "--train-ways", "20", "--train-block", "10", "--iterations", "2", "--out", run]);
        var withoutIt = Run(["train", "--algorithm", "protonet", .. data, "--train-ways", "20", "--iterations", "3", "--out", run]);
        var tooSmall = Run(["train", "--algorithm", "protonet", .. data, "--train-ways", "60", "--train-block", "10", "--iterations", "1", "--out", Path.Combine(_folder, "small")]);
        var one = Run(["train", "--algorithm", "protonet", .. data, "--train-block", "1", "--iterations", "1", "--out", Path.Combine(_folder, "one")]);

        Assert.True(train.Exit == 0, train.Error);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal(10, configuration.RootElement.GetProperty("trainBlock").GetInt32());
        // Left out on resuming, it is the run's recorded one.
        Assert.True(withoutIt.Exit == 0, withoutIt.Error);
        Assert.Contains("Resuming", withoutIt.Output);
        Assert.Equal(10, RunConfiguration.Load(run).TrainBlock);
        Assert.Equal(1, tooSmall.Exit);
        Assert.Contains("has 40 classes, but a 60-way episode draws all 60 from one block", tooSmall.Error);
        Assert.Equal(1, one.Exit);
        Assert.Contains("--train-block must be at least 2, got 1", one.Error);
    }

    [Fact]
    public void PrototypeHeadIsPartOfTheRunAndItsBundleAdaptsThroughTheRuntime()
    {
        var run = Path.Combine(_folder, "proto-maml");
        var data = TinyOmniglot;

        var train = Run(["train", "--algorithm", "maml", "--prototype-head", .. data, "--iterations", "2", "--out", run]);
        var withoutIt = Run(["train", "--algorithm", "maml", .. data, "--iterations", "3", "--out", run]);
        var eval = Run("eval", "--run", run, "--ways", "5", "--shots", "1", "--episodes", "3", "--runtime", "--json");
        var refused = Run(["train", "--algorithm", "protonet", "--prototype-head", .. data, "--iterations", "1", "--out", Path.Combine(_folder, "p")]);

        Assert.True(train.Exit == 0, train.Error);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.True(configuration.RootElement.GetProperty("prototypeHead").GetBoolean());
        // Left out on resuming, it is the run's recorded one.
        Assert.True(withoutIt.Exit == 0, withoutIt.Error);
        Assert.Contains("Resuming", withoutIt.Output);
        Assert.True(RunConfiguration.Load(run).PrototypeHead);
        Assert.True(eval.Exit == 0, eval.Error);
        using var result = JsonDocument.Parse(eval.Output);
        Assert.InRange(result.RootElement.GetProperty("accuracy").GetDouble(), 0.0, 1.0);
        Assert.Equal(1, refused.Exit);
        Assert.Contains("maml, fomaml and metasgd", refused.Error);
    }

    [Fact]
    public void TheStridedConvFourIsPartOfTheRunResumesWithoutTheOptionAndItsBundleSaysSo()
    {
        var run = Path.Combine(_folder, "strided");
        var bundle = Path.Combine(_folder, "strided.fewshot");
        var data = TinyOmniglot;

        var train = Run(["train", "--algorithm", "maml", "--downsample", "stride", .. data, "--iterations", "2", "--out", run]);
        var resumed = Run(["train", "--algorithm", "maml", .. data, "--iterations", "3", "--out", run]);
        var export = Run("export", "--run", run, "--out", bundle, "--episodes", "0");
        var unknown = Run(["train", "--algorithm", "maml", "--downsample", "avgpool", .. data, "--iterations", "1", "--out", Path.Combine(_folder, "u")]);
        var mismatched = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--init-from", run, "--out", Path.Combine(_folder, "m")]);

        Assert.True(train.Exit == 0, train.Error);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming", resumed.Output);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal("stride", configuration.RootElement.GetProperty("downsampling").GetString());
        Assert.True(export.Exit == 0, export.Error);
        using (var model = FewShot.Runtime.Bundles.FewShotModel.Load(bundle))
        {
            Assert.Equal("conv4-strided", model.Manifest.Model);
        }

        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("avgpool", unknown.Error);
        Assert.Equal(1, mismatched.Exit);
        Assert.Contains("pass --downsample stride", mismatched.Error);
    }

    [Fact]
    public void InitFromARunsCheckpointFileIsCheckedAsItsFolderIs()
    {
        var strided = Path.Combine(_folder, "strided-source");
        var proto = Path.Combine(_folder, "proto-source");
        var data = TinyOmniglot;
        Assert.Equal(0, Run(["train", "--algorithm", "maml", "--downsample", "stride", .. data, "--iterations", "1", "--out", strided]).Exit);
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. data, "--iterations", "1", "--out", proto]).Exit);

        var mismatched = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--init-from", Path.Combine(strided, "checkpoint.npz"), "--out", Path.Combine(_folder, "m")]);
        var otherNorm = Run(["train", "--algorithm", "maml", .. data, "--iterations", "1", "--init-from", Path.Combine(proto, "checkpoint.npz"), "--out", Path.Combine(_folder, "n")]);

        Assert.Equal(1, mismatched.Exit);
        Assert.Contains("pass --downsample stride", mismatched.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "m", "run.json")), "a run that could not start was left behind");
        Assert.True(otherNorm.Exit == 0, otherNorm.Error);
        Assert.Contains("trained with --norm instance and this run uses --norm support", otherNorm.Output);
    }

    [Fact]
    public void EvalAtOtherWaysThanALearnersHeadNamesTheHead()
    {
        var maml = Path.Combine(_folder, "head");
        var proto = Path.Combine(_folder, "headless");
        Assert.Equal(0, Run(["train", "--algorithm", "maml", .. TinyOmniglot, "--iterations", "1", "--out", maml]).Exit);
        Assert.Equal(0, Run(["train", "--algorithm", "protonet", .. TinyOmniglot, "--iterations", "1", "--out", proto]).Exit);

        var fewer = Run("eval", "--run", maml, "--ways", "3", "--episodes", "2");
        var same = Run("eval", "--run", maml, "--ways", "5", "--episodes", "2");
        var headless = Run("eval", "--run", proto, "--ways", "3", "--episodes", "2");

        Assert.Equal(1, fewer.Exit);
        Assert.Contains("maml's 'head.weight' was trained for 5-way tasks (the run's --ways), so this run evaluates 5-way tasks, not 3-way", fewer.Error);
        Assert.DoesNotContain("checkpoint", fewer.Error);
        Assert.True(same.Exit == 0, same.Error);
        Assert.True(headless.Exit == 0, headless.Error);
        Assert.Contains("3-way 1-shot", headless.Output);
    }

    [Fact]
    public void ANormOrDownsamplingTheModelDoesNotHaveIsRefusedNotRecorded()
    {
        var normless = Run("train", "--algorithm", "maml", "--dataset", "sinusoid", "--norm", "group", "--iterations", "1", "--out", Path.Combine(_folder, "mlp"));
        var relation = Run(["train", "--algorithm", "relationnet", .. TinyOmniglot, "--downsample", "stride", "--iterations", "1", "--out", Path.Combine(_folder, "rn")]);
        var conv4 = Run(["train", "--algorithm", "protonet", .. TinyOmniglot, "--downsample", "stride", "--norm", "group", "--iterations", "1", "--out", Path.Combine(_folder, "p")]);

        Assert.Equal(1, normless.Exit);
        Assert.Contains("--norm group has no effect: maml on sinusoid trains a mlp-1-40-40-1, which has no normalization layers", normless.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "mlp")));
        Assert.Equal(1, relation.Exit);
        Assert.Contains("--downsample stride has no effect: relationnet on omniglot trains a relation-conv4", relation.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "rn")));
        Assert.True(conv4.Exit == 0, conv4.Error);
    }

    [Fact]
    public void MinutesAloneTrainsUntilTheBudgetWithNoIterationLimit()
    {
        var run = Path.Combine(_folder, "budget");

        var train = Run("train", "--algorithm", "fomaml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--minutes", "0.01", "--out", run);

        Assert.True(train.Exit == 0, train.Error);
        var stopped = System.Text.RegularExpressions.Regex.Match(train.Output, @"Stopped at iteration (\d+) after 0\.01 minutes");
        Assert.True(stopped.Success, train.Output);
        var iterations = int.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(iterations, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        using var configuration = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal(int.MaxValue, configuration.RootElement.GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void RedirectedProgressIsPlainLinesWithLossRateAndTimeLeft()
    {
        var train = Run("train", "--algorithm", "fomaml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--iterations", "20", "--out", Path.Combine(_folder, "plain"));

        Assert.True(train.Exit == 0, train.Error);
        var lines = train.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("it/s", StringComparison.Ordinal)).ToArray();
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("  5%  1/20  loss ", lines[0]);
        Assert.StartsWith("100%  20/20  loss ", lines[^1]);
        Assert.All(lines, l => Assert.Contains(" mse ", l));
        Assert.All(lines, l => Assert.Contains(" left ", l));
        Assert.DoesNotContain('\u001b', train.Output);
        Assert.DoesNotContain('\r', train.Output);
    }

    [Theory]
    [InlineData("train", "--algorithm", "nope", "--out", "x")]
    [InlineData("train", "--algorithm", "protonet", "--dataset", "sinusoid", "--out", "x")]
    [InlineData("train", "--dataset", "omniglot", "--data", "/no/such/folder", "--out", "x")]
    [InlineData("eval", "--run", "/no/such/run")]
    public void BadInputFailsWithAMessage(params string[] args)
    {
        var result = Run(args.Select(a => a == "x" ? Path.Combine(_folder, "x") : a).ToArray());

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", result.Error);
    }
}
