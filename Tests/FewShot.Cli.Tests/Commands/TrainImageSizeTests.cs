using System.Text.Json;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Runs;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot train --image-size N</c> on folder data: trained at 32×32, recorded, held to on resuming, exported with that
/// input shape and preprocessing, and adapted and predicted through the Runtime; refused for data with shapes of its own.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class TrainImageSizeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-size-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("maml", "maxpool")]
    [InlineData("maml", "stride")]
    [InlineData("protonet", "maxpool")]
    public void TrainsExportsAndAdaptsAtAnotherImageSize(string algorithm, string downsample)
    {
        var root = Path.Combine(_folder, "images");
        Images.WriteClasses(Path.Combine(root, "train"), classes: 3, size: 48);
        Images.WriteClasses(Path.Combine(root, "test"), classes: 2, size: 48, first: 3);
        var run = Path.Combine(_folder, "run");
        var bundle = Path.Combine(_folder, "run.fewshot");
        string[] Train(params string[] more) =>
            ["train", "--algorithm", algorithm, "--downsample", downsample, "--dataset", "folder", "--data", root, "--ways", "2", "--shots", "1", "--queries", "1",
                "--channels", "8", "--threads", "1", "--out", run, .. more];

        var trained = Run(Train("--image-size", "32", "--iterations", "2"));
        var other = Run(Train("--image-size", "40", "--iterations", "3"));
        var resumed = Run(Train("--iterations", "3"));
        var export = Run("export", "--run", run, "--out", bundle, "--episodes", "2");
        var adapt = Run("adapt", "--model", bundle, "--support", Path.Combine(root, "test"), "--query", Path.Combine(root, "test"), "--json");

        Assert.True(trained.Exit == 0, trained.Error);
        Assert.Equal(32, RunConfiguration.Load(run).ImageSize);
        Assert.Contains("\"imageSize\": 32", File.ReadAllText(Path.Combine(run, RunConfiguration.FileName)), StringComparison.Ordinal);
        Assert.Equal(1, other.Exit);
        Assert.Contains("imageSize (32 there, 40 asked for)", other.Error);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.True(export.Exit == 0, export.Error);
        using (var model = FewShotModel.Load(bundle))
        {
            Assert.Equal([1L, 32, 32], model.Manifest.Input.Shape);
            Assert.Equal(FewShot.Bundles.ResizeMethod.Area, model.Manifest.Input.Preprocessing!.Resize);
        }

        Assert.True(adapt.Exit == 0, adapt.Error);
        using var json = JsonDocument.Parse(adapt.Output);
        Assert.Equal(6, json.RootElement.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public void AnImageSizeForDataWithItsOwnShapesIsRefused()
    {
        var refused = Run("train", "--dataset", "npz", "--data", Path.Combine(_folder, "x.npz"), "--image-size", "32", "--out", Path.Combine(_folder, "npz"));

        Assert.Equal(1, refused.Exit);
        Assert.Contains("--image-size 32 is the size class folders' images are resized to; npz data has its own", refused.Error);
    }
}
