using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// A manifest describes its inputs as a loader of the Sdk prepares them (Omniglot's strokes bright, a folder's paper
/// bright) only for data that loader read: arrays of a caller's own under one of those names are refused by name.
/// </summary>
public sealed class ManifestInputsTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly Maml _algorithm = new(new Conv4([1, 28, 28], outputs: 5, channels: 8, FeatureNormalization.Instance), TaskKind.Classification);

    public void Dispose() => _folder.Dispose();

    private string Write(RunConfiguration run)
    {
        var path = _folder.File($"{Guid.NewGuid():N}.fewshot");
        BundleExport.Write(path, _algorithm, _algorithm.Initialize(new Random(1)), run, iterations: 1, steps: 1, measured: null);
        return path;
    }

    private static ModelManifest Manifest(string path) => ManifestJson.Read(BundleFile.ReadEntry(path, BundleNames.ManifestEntry));

    [Fact]
    public void OwnArraysNamedOmniglotAreRefusedAndNoBundleIsWritten()
    {
        var error = Assert.Throws<ArgumentException>(() => Write(new RunConfiguration { Dataset = "omniglot" }));
        var elsewhere = Assert.Throws<ArgumentException>(() => Write(new RunConfiguration { Dataset = "omniglot", DataPath = _folder.Path }));

        Assert.Contains("the run's dataset is 'omniglot', which names the Sdk's loader of Omniglot's archives", error.Message, StringComparison.Ordinal);
        Assert.Contains("DataPath (none) holds none", error.Message, StringComparison.Ordinal);
        Assert.Contains("Omniglot drawings (strokes bright", error.Message, StringComparison.Ordinal);
        Assert.Contains("a name of its own", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{_folder.Path}' holds none", elsewhere.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void OwnArraysNamedFolderAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Write(new RunConfiguration { Dataset = "folder", DataPath = _folder.File("gone") }));

        Assert.Contains("names the Sdk's loader of class folders of images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OmniglotLoadedFromItsArchivesOrRecordedByFingerprintIsDescribedAsOmniglot()
    {
        var loaded = Manifest(Write(new RunConfiguration { Dataset = "omniglot", DataPath = RepoPaths.Omniglot }));
        var moved = Manifest(Write(new RunConfiguration { Dataset = "omniglot", DataPath = _folder.File("moved"), DataFingerprint = new DataFingerprint(2, 1, new string('0', 64)) }));

        Assert.Equal(ManifestPreprocessing.Omniglot, loaded.Input.Preprocessing);
        Assert.StartsWith("Omniglot:", loaded.Input.Normalization!.Text, StringComparison.Ordinal);
        Assert.Equal(ManifestPreprocessing.Omniglot, moved.Input.Preprocessing);
    }

    [Fact]
    public void OwnArraysUnderTheirOwnNameRecordNoPreprocessing()
    {
        var manifest = Manifest(Write(new RunConfiguration { Dataset = "my-drawings" }));

        Assert.Null(manifest.Input.Preprocessing);
        Assert.Contains("my-drawings", manifest.Input.Normalization!.Text, StringComparison.Ordinal);
    }
}
