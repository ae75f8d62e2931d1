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
    public void ColorRgb_TellsApartClassesOfOneLuma_ThatGrayCannot()
    {
        // A factory's parts told apart by color alone: before --color, folder images were always read as gray, and
        // classes of equal luma became the same images.
        using var root = new TempDirectory();
        var random = new Random(0);
        for (var c = 0; c < 15; c++)
        {
            for (var i = 0; i < 6; i++)
            {
                WriteColoredDisc(Path.Combine(root.Path, $"part{c:D2}", $"{i}.png"), c, random);
            }
        }

        var gray = new RunConfiguration
        {
            Algorithm = "protonet", Dataset = "folder", DataPath = root.Path, Ways = 3, Shots = 1, Queries = 3, Channels = 8, ImageSize = 16, Seed = 1, Normalization = "group",
        };
        var rgb = gray with { Color = "rgb" };
        var accuracy = new Dictionary<string, double>();
        foreach (var configuration in new[] { gray, rgb })
        {
            var data = RunData.Load(configuration);
            Assert.Equal([configuration.Color == "rgb" ? 3L : 1L, 16, 16], data.InputShape);
            var algorithm = AlgorithmFactory.Create(configuration, data);
            var trained = new TorchMetaTrainer(algorithm, data.Train, new MetaTrainerOptions { Iterations = 20, MetaBatch = 2, Seed = 1 }) { Threads = 1 }.Train();
            accuracy[configuration.Color] = Evaluator.Evaluate(algorithm, trained.Parameters, data.Test, episodes: 20, steps: 0, seed: 2).Metric.Mean;
        }

        Assert.True(accuracy["rgb"] > 0.8, $"3-way accuracy of rgb on held-out colors is {accuracy["rgb"]} (gray {accuracy["gray"]}); chance is 0.33");
        Assert.True(accuracy["gray"] < 0.6, $"3-way accuracy of gray on held-out colors of one luma is {accuracy["gray"]}; chance is 0.33");
    }

    [Fact]
    public void ColorIsRecordedForFolderRuns_OlderRunsReadAsGray_AndOtherDataRefusesIt()
    {
        using var folder = new TempDirectory();
        var run = new RunConfiguration { Algorithm = "protonet", Dataset = "folder", DataPath = "/data/parts", Color = "rgb" };
        run.Save(folder.Path);
        var path = Path.Combine(folder.Path, RunConfiguration.FileName);

        Assert.Equal(ImageColorMode.Rgb, RunConfiguration.Load(folder.Path).ColorMode);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"color\": \"rgb\",", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("\"color\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(ImageColorMode.Grayscale, RunConfiguration.Load(folder.Path).ColorMode);

        new RunConfiguration { Algorithm = "protonet", Dataset = "omniglot" }.Save(folder.Path);
        Assert.DoesNotContain("\"color\"", File.ReadAllText(path), StringComparison.Ordinal);
        var sinusoid = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration { Dataset = "sinusoid", Color = "rgb" }));
        Assert.Contains("color rgb (--color) is how images from class folders become inputs; this run is sinusoid, "
            + "whose examples are points of a sine curve, not images: leave --color out", sinusoid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("channels", sinusoid.Message, StringComparison.Ordinal);
        var omniglot = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration { Dataset = "omniglot", Color = "rgb" }));
        Assert.Contains("this run is omniglot, whose loader sets the channels itself: leave --color out", omniglot.Message, StringComparison.Ordinal);
        var arrays = Assert.Throws<ArgumentException>(() => RunData.Load(new RunConfiguration { Dataset = "npz", Color = "rgb" }));
        Assert.Contains("this run is npz, whose arrays bring their own channels (the shape of 'x'): leave --color out", arrays.Message, StringComparison.Ordinal);
        Assert.Contains("unknown color 'blue'", Assert.Throws<ArgumentException>(() => new RunConfiguration { Color = "blue" }.ColorMode).Message, StringComparison.Ordinal);
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
    // A disc of class cls's color on white, every color of luma 100 (0.299 R + 0.587 G + 0.114 B), jittered and noisy.
    private static void WriteColoredDisc(string path, int cls, Random random)
    {
        var (red, blue) = (cls % 5 * 60, cls / 5 * 100);
        var green = (int)Math.Round((100 - (0.299 * red) - (0.114 * blue)) / 0.587);
        var samples = new byte[32 * 32 * 3];
        var (cy, cx) = (16 + random.Next(-3, 4), 16 + random.Next(-3, 4));
        for (var y = 0; y < 32; y++)
        {
            for (var x = 0; x < 32; x++)
            {
                var inside = ((y - cy) * (y - cy)) + ((x - cx) * (x - cx)) < 64;
                int[] rgb = inside ? [red, green, blue] : [255, 255, 255];
                var noise = random.Next(-10, 11);
                for (var k = 0; k < 3; k++)
                {
                    samples[(((y * 32) + x) * 3) + k] = (byte)Math.Clamp(rgb[k] + noise, 0, 255);
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestImages.Encode(32, 32, 3, samples));
    }

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
