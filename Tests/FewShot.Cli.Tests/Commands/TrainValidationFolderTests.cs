using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot train --dataset folder</c> on a root of train, val and test folders: val's class folders are the run's
/// validation classes, recorded in run.json and its data fingerprint; --validation-classes beside them, and a val folder
/// without train and test, are refused; a run that started without reading val resumes as it trained.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class TrainValidationFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-val-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Train(string root, string run, params string[] more) =>
        ["train", "--algorithm", "protonet", "--dataset", "folder", "--data", root, "--ways", "2", "--shots", "1", "--queries", "1",
            "--channels", "8", "--threads", "1", "--out", Path.Combine(_folder, run), .. more];

    private string Root(bool withVal)
    {
        var root = Path.Combine(_folder, withVal ? "split" : "plain");
        Images.WriteClasses(Path.Combine(root, "train"), classes: 3, size: 28);
        Images.WriteClasses(Path.Combine(root, "test"), classes: 2, size: 28, first: 3);
        if (withVal)
        {
            Images.WriteClasses(Path.Combine(root, "val"), classes: 2, size: 28, first: 5);
        }

        return root;
    }

    [Fact]
    public void ValClassFoldersAreValidatedOnAndRecorded()
    {
        var root = Root(withVal: true);
        var run = Path.Combine(_folder, "val");

        var trained = Run(Train(root, "val", "--validate-every", "1", "--iterations", "2"));
        var resumed = Run(Train(root, "val", "--validate-every", "1", "--iterations", "3"));

        Assert.True(trained.Exit == 0, trained.Error);
        Assert.Equal([1, 2], MetricsHistory.Read(Path.Combine(run, "metrics.jsonl")).Validation.Select(v => v.Iteration).Take(2));
        var recorded = RunConfiguration.Load(run);
        Assert.Equal("val", recorded.ValidationFolder);
        Assert.Equal(7 * 3, recorded.DataFingerprint!.Files);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);

        // Without "--dataset folder --data <root>": the recorded root, whose val folder is read again.
        var bare = Run([.. Train(root, "val", "--validate-every", "1", "--iterations", "4").Where((_, i) => i is not (3 or 4 or 5 or 6))]);

        Assert.True(bare.Exit == 0, bare.Error);
        Assert.Contains("Resuming the run in " + run, bare.Output);
        Assert.Equal(("folder", "val"), (RunConfiguration.Load(run).Dataset, RunConfiguration.Load(run).ValidationFolder));
    }

    [Fact]
    public void ValidationClassesBesideAValFolderAndAValFolderAloneAreRefused()
    {
        var root = Root(withVal: true);
        var lone = Path.Combine(_folder, "lone");
        Images.WriteClasses(Path.Combine(lone, "val"), classes: 2, size: 28);
        Images.WriteClasses(lone, classes: 4, size: 28, first: 2);

        var both = Run(Train(root, "both", "--validation-classes", "2"));
        var alone = Run(Train(lone, "alone"));

        Assert.Equal(1, both.Exit);
        Assert.Contains("a run has one source of validation classes; leave --validation-classes out", both.Error);
        Assert.Equal(1, alone.Exit);
        Assert.Contains("holds a folder 'val' of 2 sub-folders but no 'train' or 'test' folder beside it", alone.Error);
        Assert.All(["both", "alone"], name => Assert.False(File.Exists(Path.Combine(_folder, name, RunConfiguration.FileName))));
    }

    [Fact]
    public void ARunStartedWithoutValResumesWithoutIt()
    {
        // A run on train and test alone, as every run was before val folders were read; val appears afterwards.
        var root = Root(withVal: false);
        var run = Path.Combine(_folder, "old");
        Assert.Equal(0, Run(Train(root, "old", "--iterations", "2")).Exit);
        Images.WriteClasses(Path.Combine(root, "val"), classes: 2, size: 28, first: 5);

        var resumed = Run(Train(root, "old", "--iterations", "3"));

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Contains($"does not validate on the class folders of '{Path.Combine(root, "val")}': it started without them", resumed.Output);
        Assert.Null(RunConfiguration.Load(run).ValidationFolder);
        Assert.Empty(MetricsHistory.Read(Path.Combine(run, "metrics.jsonl")).Validation);
    }
}
