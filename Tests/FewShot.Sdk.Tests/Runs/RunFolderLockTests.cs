using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;

namespace FewShot.Sdk.Tests.Runs;

public sealed class RunFolderLockTests
{
    [Fact]
    public void ASecondHolderIsRefusedByName_UntilTheFirstReleases()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("run");

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
        using var temp = new TempDirectory();
        var file = temp.File("notes.txt");
        File.WriteAllText(file, "not a run");

        var refused = Assert.Throws<IOException>(() => RunFolderLock.Acquire(file));

        Assert.Equal($"'{file}' is a file; a run needs a folder of its own.", refused.Message);
    }
}
