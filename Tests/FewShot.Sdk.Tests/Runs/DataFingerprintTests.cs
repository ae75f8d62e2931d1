using System.Security.Cryptography;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Tests.Data.Images;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>
/// A run's data fingerprint covers exactly the files its loader reads: an .npz's bytes (as sha256sum hashes them), a
/// class-folder root's images by relative path, Omniglot's two archives; it survives a move, changes with any image, and
/// run.json records it (a run.json without it loads as a run from before).
/// </summary>
public sealed class DataFingerprintTests
{
    [Fact]
    public void AnNpzsFingerprintIsItsLengthAndTheSha256OfItsBytes()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "data.npz");
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, bytes);

        var fingerprint = DataFingerprint.Of(new RunConfiguration { Dataset = "npz", DataPath = path });

        Assert.Equal(new DataFingerprint(1, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))), fingerprint);
        bytes[50_000] ^= 1;
        File.WriteAllBytes(path, bytes);
        var changed = DataFingerprint.Of(new RunConfiguration { Dataset = "npz", DataPath = path })!;
        Assert.NotEqual(fingerprint, changed);
        Assert.StartsWith("the same length but other contents (SHA-256 ", fingerprint!.Difference(changed), StringComparison.Ordinal);
    }

    [Fact]
    public void AClassFolderKeepsItsFingerprintWhenMovedAndLosesItWithAnyImageChanged()
    {
        using var folder = new TempDirectory();
        var root = Path.Combine(folder.Path, "images");
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 2; i++)
            {
                WriteImage(Path.Combine(root, $"class{c}", $"{i}.png"), (byte)((c * 2) + i));
            }
        }

        var before = Of(root);
        var moved = Path.Combine(folder.Path, "moved");
        Directory.Move(root, moved);
        File.WriteAllText(Path.Combine(moved, "class0", "README.txt"), "skipped by the loader");
        WriteImage(Path.Combine(moved, ".cache", "x.png"), 9); // hidden: skipped
        var after = Of(moved);
        WriteImage(Path.Combine(moved, "class1", "1.png"), 99);
        var changed = Of(moved);
        WriteImage(Path.Combine(moved, "class2", "2.png"), 5);
        var added = Of(moved);

        Assert.Equal(6, before.Files);
        Assert.Equal(before, after);
        Assert.NotEqual(before, changed);
        Assert.Equal(7, added.Files);
        Assert.StartsWith("7 files where it had 6, ", changed.Difference(added), StringComparison.Ordinal);
    }

    [Fact]
    public void ATrainAndTestLayoutIsFingerprintedByTheFoldersItReads()
    {
        using var folder = new TempDirectory();
        WriteImage(Path.Combine(folder.Path, "train", "a", "0.png"), 1);
        WriteImage(Path.Combine(folder.Path, "test", "b", "0.png"), 2);
        var before = Of(folder.Path);

        WriteImage(Path.Combine(folder.Path, "c", "0.png"), 3); // not read: root/train and root/test are the data

        Assert.Equal(2, before.Files);
        Assert.Equal(before, Of(folder.Path));
    }

    [Fact]
    public void OmniglotIsItsTwoArchivesAndGeneratedOrMissingDataHasNone()
    {
        var omniglot = DataFingerprint.Of(new RunConfiguration { Dataset = "omniglot", DataPath = RepoPaths.Omniglot })!;

        Assert.Equal(2, omniglot.Files);
        Assert.Equal(new FileInfo(Path.Combine(RepoPaths.Omniglot, "images_background.npz")).Length + new FileInfo(Path.Combine(RepoPaths.Omniglot, "images_evaluation.npz")).Length, omniglot.Bytes);
        Assert.Null(DataFingerprint.Of(new RunConfiguration { Dataset = "sinusoid" }));
        Assert.Null(DataFingerprint.Of(new RunConfiguration { Dataset = "npz", DataPath = "/no/such/file.npz" }));
        Assert.Null(DataFingerprint.Of(new RunConfiguration { Dataset = "my-parts", DataPath = RepoPaths.Omniglot }));
    }

    [Fact]
    public void RunJsonRecordsTheFingerprintAndARunJsonWithoutItLoadsWithNone()
    {
        using var folder = new TempDirectory();
        var fingerprint = new DataFingerprint(2, 1234, new string('a', 64));
        new RunConfiguration { Dataset = "folder", DataPath = "/data", DataFingerprint = fingerprint }.Save(folder.Path);
        var path = Path.Combine(folder.Path, RunConfiguration.FileName);

        Assert.Equal(fingerprint, RunConfiguration.Load(folder.Path).DataFingerprint);
        Assert.Contains("\"dataFingerprint\": {", File.ReadAllText(path), StringComparison.Ordinal);
        new RunConfiguration { Dataset = "folder", DataPath = "/data" }.Save(folder.Path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"dataFingerprint\": null,", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("dataFingerprint", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Null(RunConfiguration.Load(folder.Path).DataFingerprint);
    }

    private static DataFingerprint Of(string root) => DataFingerprint.Of(new RunConfiguration { Dataset = "folder", DataPath = root })!;

    private static void WriteImage(string path, byte level)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestImages.Encode(8, 8, 1, Enumerable.Repeat(level, 64).ToArray()));
    }
}
