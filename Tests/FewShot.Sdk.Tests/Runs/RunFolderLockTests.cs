using FewShot.Sdk.Runs;

namespace FewShot.Sdk.Tests.Runs;

public sealed class RunFolderLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fewshot-lock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ASecondHolderIsRefusedByName_UntilTheFirstReleases()
    {
        var folder = Path.Combine(_root, "run");

        using (RunFolderLock.Acquire(folder))
        {
            var refused = Assert.Throws<IOException>(() => RunFolderLock.Acquire(folder));
            Assert.StartsWith($"'{folder}' is being trained by another process", refused.Message, StringComparison.Ordinal);
        }

        using var again = RunFolderLock.Acquire(folder);
        Assert.True(File.Exists(Path.Combine(folder, RunFolderLock.FileName)));
    }

    [Fact]
    public void AFileWhereTheFolderShouldBeIsRefusedAsAFile()
    {
        var file = Path.Combine(_root, "notes.txt");
        File.WriteAllText(file, "not a run");

        var refused = Assert.Throws<IOException>(() => RunFolderLock.Acquire(file));

        Assert.Equal($"'{file}' is a file; a run needs a folder of its own.", refused.Message);
    }
}
