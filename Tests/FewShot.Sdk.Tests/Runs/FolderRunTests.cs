using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Tests.Data.Images;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>A user's own image folders: split by class, meta-trained on and evaluated, end to end.</summary>
public sealed class FolderRunTests
{
    [Fact]
    public void ProtoNetTrainsAndEvaluatesOnClassFolders()
    {
        using var root = new TempDirectory();
        var random = new Random(0);
        for (var c = 0; c < 15; c++)
        {
            for (var i = 0; i < 6; i++)
            {
                WriteSquare(Path.Combine(root.Path, $"class{c:D2}", $"{i}.png"), c, random);
            }
        }

        var configuration = new RunConfiguration
        {
            Algorithm = "protonet", Dataset = "folder", DataPath = root.Path, Ways = 3, Shots = 1, Queries = 3, Channels = 8, ImageSize = 16, Seed = 1,
        };
        var data = RunData.Load(configuration);
        var algorithm = AlgorithmFactory.Create(configuration, data);
        var trained = new TorchMetaTrainer(algorithm, data.Train, new MetaTrainerOptions { Iterations = 20, MetaBatch = 2, Seed = 1 }) { Threads = 1 }.Train();

        var result = Evaluator.Evaluate(algorithm, trained.Parameters, data.Test, episodes: 20, steps: 0, seed: 2);

        Assert.Equal([1L, 16, 16], data.InputShape);
        Assert.Equal(12, data.TrainClassCount);
        Assert.True(result.Metric.Mean > 0.6, $"3-way accuracy on held-out folders is {result.Metric}; chance is 0.33");
    }

    [Fact]
    public void TooFewClassFoldersAreRefused()
    {
        using var root = new TempDirectory();
        WriteSquare(Path.Combine(root.Path, "only", "a.png"), 0, new Random(0));

        var error = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration { Dataset = "folder", DataPath = root.Path, ImageSize = 16 }));

        Assert.Contains("1 class folders", error.Message);
    }

    [Fact]
    public void AClassFolderWithTooFewImagesIsNamedByItsPath()
    {
        using var root = new TempDirectory();
        var random = new Random(0);
        for (var c = 0; c < 10; c++)
        {
            for (var i = 0; i < (c == 7 ? 2 : 4); i++)
            {
                WriteSquare(Path.Combine(root.Path, $"class{c:D2}", $"{i}.png"), c, random);
            }
        }

        var error = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration
        {
            Dataset = "folder", DataPath = root.Path, Ways = 2, Shots = 1, Queries = 2, ImageSize = 16,
        }));

        Assert.Contains($"class folder '{Path.Combine(root.Path, "class07")}' has 2 images, but 1-shot episodes with 2 queries need 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATestFolderWithFewerClassesThanTheWaysIsNamed()
    {
        using var root = new TempDirectory();
        var random = new Random(0);
        for (var c = 0; c < 6; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                WriteSquare(Path.Combine(root.Path, c < 4 ? "train" : "test", $"class{c:D2}", $"{i}.png"), c, random);
            }
        }

        var error = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration
        {
            Dataset = "folder", DataPath = root.Path, Ways = 3, Shots = 1, Queries = 2, ImageSize = 16,
        }));

        Assert.Contains($"'{Path.Combine(root.Path, "test")}' has 2 class folders, but the run draws 3-way test episodes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A 32×32 gray image, dark with noise, with a bright 8×8 square whose position is the class's.</summary>
    private static void WriteSquare(string path, int cls, Random random)
    {
        var samples = new byte[32 * 32];
        var (top, left) = (cls / 4 * 8, cls % 4 * 8);
        for (var y = 0; y < 32; y++)
        {
            for (var x = 0; x < 32; x++)
            {
                var inside = y >= top && y < top + 8 && x >= left && x < left + 8;
                samples[(y * 32) + x] = (byte)Math.Clamp((inside ? 220 : 30) + random.Next(-25, 26), 0, 255);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestImages.Encode(32, 32, 1, samples));
    }
}
