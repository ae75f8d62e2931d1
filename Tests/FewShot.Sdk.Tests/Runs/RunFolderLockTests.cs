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
}
