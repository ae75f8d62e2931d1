using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Datasets;

/// <summary>The loaders' cache keeps a load while its files stay as they were, and loads again when one changes.</summary>
public sealed class FileBackedCacheTests
{
    [Fact]
    public void KeepsALoadUntilAFileChangesAndThenLoadsAgain()
    {
        using var folder = new TempDirectory();
        string data = folder.File("data.txt");
        File.WriteAllText(data, "one");
        int loads = 0;
        var cache = new FileBackedCache<string, string>(path => [path], path => { loads++; return File.ReadAllText(path); });

        Assert.Equal("one", cache.Get(data));
        Assert.Equal("one", cache.Get(data));
        Assert.Equal(1, loads);

        File.WriteAllText(data, "three");
        Assert.Equal("three", cache.Get(data));
        Assert.Equal(2, loads);

        // Same size, later time: still noticed.
        File.WriteAllText(data, "seven");
        File.SetLastWriteTimeUtc(data, File.GetLastWriteTimeUtc(data).AddSeconds(5));
        Assert.Equal("seven", cache.Get(data));
        Assert.Equal(3, loads);
    }

    [Fact]
    public void AFileThatAppearsIsAChange()
    {
        using var folder = new TempDirectory();
        string plain = folder.File("data"), compressed = folder.File("data.gz");
        File.WriteAllText(plain, "plain");
        var cache = new FileBackedCache<string, string>(
            _ => [compressed, plain],
            _ => File.Exists(compressed) ? File.ReadAllText(compressed) : File.ReadAllText(plain));

        Assert.Equal("plain", cache.Get("key"));
        File.WriteAllText(compressed, "compressed");
        Assert.Equal("compressed", cache.Get("key"));
    }

    [Fact]
    public void AFailedLoadIsNotKept()
    {
        using var folder = new TempDirectory();
        string data = folder.File("data.txt");
        var cache = new FileBackedCache<string, string>(path => [path], File.ReadAllText);

        Assert.Throws<FileNotFoundException>(() => cache.Get(data));
        File.WriteAllText(data, "fixed");
        Assert.Equal("fixed", cache.Get(data));
    }
}
