namespace FewShot.Bundles.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WritesTheWholeContent_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_folder, "state");
        File.WriteAllText(path, "old");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void AFolderAsTheTargetIsRefusedBeforeAnythingIsWritten()
    {
        string target = Directory.CreateDirectory(Path.Combine(_folder, "a folder")).FullName;
        var written = false;

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(target, _ => written = true));

        Assert.Equal($"cannot write '{target}': it is a folder; give a file path", error.Message);
        Assert.False(written);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void AFailedWriteLeavesTheTargetAndNoTemporaryFile()
    {
        string path = Path.Combine(_folder, "state");
        File.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(9);
            throw new InvalidOperationException("the writer failed");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }
}
