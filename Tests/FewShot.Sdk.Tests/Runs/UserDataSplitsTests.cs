using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Tests.Data.Images;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>
/// Validation classes held out of the user's own data (<see cref="RunConfiguration.ValidationClasses"/>): chosen by the
/// seed among the training classes, the test classes left as they were, misfits refused with the counts, and run.json
/// recording the setting (older files read as none).
/// </summary>
public sealed class UserDataSplitsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>An .npz of <paramref name="classes"/> classes (labels 100, 101, …) of 4 feature vectors each.</summary>
    private string WriteFeatures(int classes)
    {
        var random = new Random(0);
        var count = classes * 4;
        var x = Enumerable.Range(0, count * 4).Select(_ => (float)random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, count).Select(row => 100L + (row % classes)).ToArray();
        var path = _folder.File($"features{classes}.npz");
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, count, 4), ["y"] = NpyArray.Create(y, count) });
        return path;
    }

    private static RunConfiguration Run(string path, int validation, int seed = 1, string dataset = "npz") => new()
    {
        Algorithm = "protonet", Dataset = dataset, DataPath = path, Ways = 3, Shots = 1, Queries = 2, Channels = 8, ImageSize = 8, Seed = seed, ValidationClasses = validation,
    };

    private static string[] Names(ITaskSource? tasks)
    {
        var dataset = ((EpisodeSampler)((EpisodeTaskSource)tasks!).Sampler).Dataset;
        return [.. Enumerable.Range(0, dataset.ClassCount).Select(dataset.GetClassName)];
    }

    [Fact]
    public void HeldOutClassesAreTrainingClassesChosenByTheSeed_AndTheTestClassesStayAsTheyWere()
    {
        var path = WriteFeatures(classes: 20);
        var without = RunData.Load(Run(path, validation: 0));
        var held = RunData.Load(Run(path, validation: 4));

        Assert.Null(without.Validation);
        Assert.Equal(Names(without.Test), Names(held.Test));
        Assert.Equal(16, without.TrainClassCount);
        Assert.Equal(12, held.TrainClassCount);
        Assert.Equal(4, Names(held.Validation).Length);
        Assert.Empty(Names(held.Validation).Intersect(Names(held.Train)));
        Assert.Equal(Names(without.Train).Order(), Names(held.Train).Concat(Names(held.Validation)).Order());
        Assert.Equal(3, ((EpisodeSampler)((EpisodeTaskSource)held.Validation!).Sampler).Ways);

        // The same seed holds out the same classes; eval's wider test episodes leave validation at the run's ways.
        Assert.Equal(Names(held.Validation), Names(RunData.Load(Run(path, validation: 4)).Validation));
        Assert.Equal(Names(held.Validation), Names(RunData.Load(Run(path, validation: 4), ways: 4).Validation));
        Assert.True(Enumerable.Range(1, 8).Select(seed => string.Join(",", Names(RunData.Load(Run(path, validation: 4, seed)).Validation))).Distinct().Count() > 1);
    }

    [Fact]
    public void TooFewToValidateOnOrTooManyToTrainOnAreRefusedWithTheCounts()
    {
        var path = WriteFeatures(classes: 15);

        var few = Assert.Throws<ArgumentException>(() => RunData.Load(Run(path, validation: 2)));
        var many = Assert.Throws<ArgumentException>(() => RunData.Load(Run(path, validation: 10)));

        Assert.Contains("--validation-classes 2 holds out fewer classes than the 3 a validation episode draws (the run's 3-way episodes): hold out at least 3", few.Message, StringComparison.Ordinal);
        Assert.Contains($"{path} has 15 classes, split by the seed into 12 for training and 3 for testing (80/20); holding out 10 of the 12 training classes for validation (--validation-classes) leaves 2, "
            + "but the run draws 3-way training episodes: hold out at most 9", many.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RunData.Load(Run(path, validation: -1)));
    }

    [Fact]
    public void OnlyFolderAndNpzDataHoldClassesOut()
    {
        var sinusoid = Assert.Throws<ArgumentException>(() => RunData.Load(Run(null!, validation: 3, dataset: "sinusoid")));
        var omniglot = Assert.Throws<ArgumentException>(() => RunData.Load(Run(_folder.Path, validation: 3, dataset: "omniglot")));

        Assert.Contains("held out of the classes of folder and npz data; this run is sinusoid", sinusoid.Message, StringComparison.Ordinal);
        Assert.Contains("whose paper split brings 100 validation classes of its own (--split paper)", omniglot.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithTrainAndTestFoldersHoldsOutClassesOfItsTrainFolder()
    {
        var random = new Random(0);
        for (var c = 0; c < 11; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                var samples = Enumerable.Range(0, 64).Select(_ => (byte)random.Next(256)).ToArray();
                var path = Path.Combine(_folder.Path, "images", c < 8 ? "train" : "test", $"class{c:D2}", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, TestImages.Encode(8, 8, 1, samples));
            }
        }

        var root = Path.Combine(_folder.Path, "images");
        var data = RunData.Load(Run(root, validation: 3, dataset: "folder"));
        var many = Assert.Throws<ArgumentException>(() => RunData.Load(Run(root, validation: 6, dataset: "folder")));

        Assert.Equal(["class08", "class09", "class10"], Names(data.Test));
        Assert.Equal(3, Names(data.Validation).Length);
        Assert.All(Names(data.Validation), name => Assert.DoesNotContain(name, Names(data.Train)));
        Assert.Equal(5, data.TrainClassCount);
        Assert.Contains($"'{Path.Combine(root, "train")}' has 8 class folders; holding out 6 of the 8 training class folders for validation (--validation-classes) leaves 2", many.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATrainFolderWithoutATestFolderIsRefused_NotReadAsOneClass()
    {
        // torchvision's layout, root/train/<class> and root/val/<class>: before, 'train' and 'val' were two classes.
        var random = new Random(0);
        for (var c = 0; c < 12; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                var samples = Enumerable.Range(0, 64).Select(_ => (byte)random.Next(256)).ToArray();
                var path = Path.Combine(_folder.Path, "images", c < 8 ? "train" : "val", $"class{c:D2}", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, TestImages.Encode(8, 8, 1, samples));
            }
        }

        var root = Path.Combine(_folder.Path, "images");
        var error = Assert.Throws<ArgumentException>(() => RunData.Load(Run(root, validation: 0, dataset: "folder") with { Ways = 2 }));

        Assert.Contains($"'{root}' holds a folder 'train' of 8 sub-folders but no 'test' folder beside it (beside it: 'val')", error.Message, StringComparison.Ordinal);

        // 'val' of class folders without 'train' and 'test' beside it is refused too: read as one class, it had all their images.
        Directory.Move(Path.Combine(root, "train"), Path.Combine(root, "parts"));
        var val = Assert.Throws<ArgumentException>(() => RunData.Load(Run(root, validation: 0, dataset: "folder") with { Ways = 2 }));
        Assert.Contains($"'{root}' holds a folder 'val' of 4 sub-folders but no 'train' or 'test' folder beside it", val.Message, StringComparison.Ordinal);

        // A class folder whose images are grouped in sub-folders is still a class, whatever its name, once it is not 'train' or 'val'.
        Directory.Move(Path.Combine(root, "val"), Path.Combine(root, "gears"));
        Directory.CreateDirectory(Path.Combine(root, "bolts", "session1"));
        File.WriteAllBytes(Path.Combine(root, "bolts", "session1", "0.png"), TestImages.Encode(8, 8, 1, new byte[64]));
        File.WriteAllBytes(Path.Combine(root, "bolts", "session1", "1.png"), TestImages.Encode(8, 8, 1, new byte[64]));
        var three = RunData.Load(Run(root, validation: 0, dataset: "folder") with { Ways = 1, Shots = 1, Queries = 1 });
        Assert.Equal(3, three.TrainClassCount + Names(three.Test).Length);
    }

    [Fact]
    public void RunJsonRecordsTheHeldOutClasses_AndAnOlderFileReadsAsNone()
    {
        var run = Run(WriteFeatures(classes: 20), validation: 4);
        run.Save(_folder.Path);
        var path = Path.Combine(_folder.Path, RunConfiguration.FileName);

        Assert.Equal(4, RunConfiguration.Load(_folder.Path).ValidationClasses);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"validationClasses\": 4,", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("validationClasses", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(run with { ValidationClasses = 0, Normalization = run.Normalization }, RunConfiguration.Load(_folder.Path));

        // Data without classes to hold out leaves the setting out, as other settings that do not apply.
        new RunConfiguration { Dataset = "sinusoid" }.Save(_folder.Path);
        Assert.DoesNotContain("validationClasses", File.ReadAllText(path), StringComparison.Ordinal);
    }
}
