using FewShot.Runtime.Bundles;
using FewShot.Runtime.Sessions;
using FewShot.Runtime.Tests.Bundles;
using FewShot.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace FewShot.Runtime.Tests.Sessions;

/// <summary>
/// <see cref="RuntimeOptions.GraphCacheDirectory"/>: a shipped conv4 MAML bundle (whose optimized graphs hold NCHWc
/// kernels) gives the same bits from its cached graphs as from the bundle's, and a damaged or unusable cache never fails a Load.
/// </summary>
public sealed class OptimizedGraphCacheTests : IDisposable
{
    private static readonly string Bundle = Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"fewshot-graph-cache-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void ALoadWritesEachSessionsGraph_AndLaterLoadsGiveTheSameBitsFromThem()
    {
        float[] expected = AdaptAndPredict(cache: null);
        float[] first = AdaptAndPredict(_folder);
        string[] entries = Entries();
        Assert.Equal(2, entries.Length); // adapt.onnx and predict.onnx; adapt_k.onnx is opened on first use only
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));

        // Aged, so that a Load that optimized again and rewrote them would show.
        var aged = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (string entry in entries)
        {
            File.SetLastWriteTimeUtc(entry, aged);
        }

        float[] second = AdaptAndPredict(_folder);
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        Assert.All(entries, e => Assert.Equal(aged, File.GetLastWriteTimeUtc(e)));
    }

    [Fact]
    public void ADamagedEntry_IsWrittenAgain_AndTheLoadGivesTheSameBits()
    {
        float[] expected = AdaptAndPredict(_folder);
        string[] entries = Entries();
        byte[] whole = File.ReadAllBytes(entries[0]);
        File.WriteAllBytes(entries[0], whole.AsSpan(0, whole.Length / 2).ToArray()); // truncated
        File.WriteAllBytes(entries[1], [.. Enumerable.Repeat((byte)0xFF, 64)]); // not a model at all

        Assert.Equal(expected, AdaptAndPredict(_folder));

        // Written again, and usable: a further Load reads them as they are (optimizing names its nodes afresh, so the
        // bytes need not equal the first ones).
        var aged = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.All(entries, e => File.SetLastWriteTimeUtc(e, aged));
        Assert.Equal(expected, AdaptAndPredict(_folder));
        Assert.All(entries, e => Assert.Equal(aged, File.GetLastWriteTimeUtc(e)));
        Assert.True(File.ReadAllBytes(entries[1]).Length > 64);
    }

    [Fact]
    public void AFolderThatCannotBeCreated_LeavesTheLoadAsWithoutACache()
    {
        string file = Path.Combine(Path.GetTempPath(), $"fewshot-not-a-folder-{Guid.NewGuid():N}");
        File.WriteAllText(file, "a file where the cache's parent folder would be");
        try
        {
            Assert.Equal(AdaptAndPredict(cache: null), AdaptAndPredict(Path.Combine(file, "graphs")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AFolderThatCannotBeWrittenTo_IsFoundBeforeOptimizing_AndLeavesTheLoadAsWithoutACache()
    {
        // /proc/self exists and takes no new files, even from root.
        Assert.True(OperatingSystem.IsLinux(), "these tests run on Linux, which has /proc/self");
        var logger = new ListLogger();
        RuntimeOptions options = BundleTestData.Options;
        options.WarmUp = false;
        options.GraphCacheDirectory = "/proc/self";
        using (FewShotModel.Load(Bundle, options, logger))
        {
        }

        // Found by the cache's own empty file, before ONNX Runtime optimized the graph, not by a session that failed to
        // save it (which the cache would answer by optimizing the graph a second time).
        Assert.Equal(2, logger.Messages.Count(m => m.Level == LogLevel.Warning && m.Text.Contains("cannot be created or written to")));
        Assert.DoesNotContain(logger.Messages, m => m.Text.Contains("was not written"));
        Assert.Equal(AdaptAndPredict(cache: null), AdaptAndPredict("/proc/self"));
    }

    [Fact]
    public void EntriesAreKeyedByOptimizationLevel_AndNoneAreWrittenWithOptimizationOff()
    {
        _ = AdaptAndPredict(_folder);
        Assert.Equal(2, Entries().Length);
        _ = AdaptAndPredict(_folder, GraphOptimizationLevel.Basic);
        Assert.Equal(4, Entries().Length);
        _ = AdaptAndPredict(_folder, GraphOptimizationLevel.Disabled);
        Assert.Equal(4, Entries().Length);
    }

    [Fact]
    public void TheFolderIsKeptUnderItsLimit_TheOldestEntriesFirst_AndAbandonedTemporaryFilesGo()
    {
        // Sparse files: their lengths count, their blocks cost nothing.
        Directory.CreateDirectory(_folder);
        string oldest = Sparse("0000-oldest.onnx", OptimizedGraphCache.MaxBytes / 2, TimeSpan.FromDays(3));
        string older = Sparse("0001-older.onnx", OptimizedGraphCache.MaxBytes / 2, TimeSpan.FromDays(2));
        string abandoned = Sparse("x.onnx.0123.tmp", 10, TimeSpan.FromHours(2));
        string writing = Sparse("y.onnx.4567.tmp", 10, TimeSpan.FromMinutes(1));

        _ = AdaptAndPredict(_folder);

        Assert.False(File.Exists(oldest));
        Assert.True(File.Exists(older));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(writing));
        Assert.Equal(3, Entries().Length); // the older one and the two just written
        Assert.True(Directory.GetFiles(_folder).Sum(f => new FileInfo(f).Length) <= OptimizedGraphCache.MaxBytes + 20);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // where these tests run, and folders have Unix modes
    public void AFolderTheCacheCreates_IsItsOwnersAlone()
    {
        _ = AdaptAndPredict(_folder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\0b")]
    public void AFolderPathThatIsNone_IsRefusedAtLoad_NamingTheOption(string folder)
    {
        RuntimeOptions options = BundleTestData.Options;
        options.GraphCacheDirectory = folder;
        var e = Assert.Throws<ArgumentException>(() => FewShotModel.Load(Bundle, options));
        Assert.Contains("RuntimeOptions.GraphCacheDirectory", e.Message);
    }

    [Fact]
    public void TheDefaultFolder_FollowsXdgCacheHome()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/var/cache/someone");
            Assert.Equal("/var/cache/someone/fewshot/graphs", RuntimeOptions.DefaultGraphCacheDirectory());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "relative/ignored");
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fewshot", "graphs"), RuntimeOptions.DefaultGraphCacheDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved);
        }
    }

    private string Sparse(string name, long length, TimeSpan age)
    {
        string path = Path.Combine(_folder, name);
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(length);
        }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private string[] Entries() => Directory.Exists(_folder) ? [.. Directory.GetFiles(_folder, "*.onnx").Order(StringComparer.Ordinal)] : [];

    // A 5-way 1-shot adaptation of the shipped bundle, then 10 queries: the queries' logits, every one of their bits.
    private static float[] AdaptAndPredict(string? cache, GraphOptimizationLevel level = GraphOptimizationLevel.All)
    {
        RuntimeOptions options = BundleTestData.Options;
        options.WarmUp = false;
        options.GraphCacheDirectory = cache;
        options.GraphOptimizationLevel = level;
        using FewShotModel model = FewShotModel.Load(Bundle, options);
        int size = (int)model.Manifest.Input.Shape.Aggregate(1L, (a, b) => a * b);
        AdaptedModel adapted = model.Adapt(Binary(5 * size, seed: 1), [0, 1, 2, 3, 4]);
        return [.. adapted.PredictValues(Binary(10 * size, seed: 2)).SelectMany(row => row)];
    }

    // Omniglot-like inputs: strokes of 1.0 on 0.
    private static float[] Binary(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f)];
    }
}
