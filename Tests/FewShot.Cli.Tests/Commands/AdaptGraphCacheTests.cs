using System.Text.Json;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>`fewshot adapt --graph-cache`: the optimized graphs are written once, reused, and change no prediction.</summary>
public sealed class AdaptGraphCacheTests : IDisposable
{
    private static readonly string Bundle = Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot");
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-graph-cache-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheCacheIsWrittenByTheFirstRun_AndNoRunsPredictionsDiffer()
    {
        string cache = Path.Combine(_folder, "graphs");
        string support = WriteSet("support.npz", count: 5, seed: 1);
        string query = WriteSet("query.npz", count: 10, seed: 2);

        string without = Adapt(support, query, "none");
        Assert.False(Directory.Exists(cache));
        string first = Adapt(support, query, cache);
        Assert.Equal(2, Directory.GetFiles(cache, "*.onnx").Length);
        string second = Adapt(support, query, cache);

        Assert.Equal(without, first);
        Assert.Equal(without, second);
        Assert.Equal(2, Directory.GetFiles(cache, "*.onnx").Length);
    }

    [Fact]
    public void ByDefault_TheCacheIsTheUsersCacheFolder()
    {
        // The test process points XDG_CACHE_HOME at a temporary folder (TestProcessSetup).
        string expected = Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME")!, "fewshot", "graphs");
        var run = Run("adapt", "--model", Bundle, "--support", WriteSet("s.npz", 5, 3), "--query", WriteSet("q.npz", 5, 4), "--threads", "1");
        Assert.True(run.Exit == 0, run.Error);
        Assert.NotEmpty(Directory.GetFiles(expected, "*.onnx"));
    }

    [Fact]
    public void AnEmptyFolder_IsRefused_NamingTheOption()
    {
        var run = Run("adapt", "--model", Bundle, "--support", WriteSet("s.npz", 5, 3), "--query", WriteSet("q.npz", 5, 4), "--graph-cache", " ");
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("--graph-cache was given an empty value; it takes: Folder of ONNX Runtime's optimized graphs", run.Error);
        Assert.Contains("('none' for none)", run.Error);
    }

    // The predictions' probabilities as printed by --json.
    private static string Adapt(string support, string query, string cache)
    {
        var run = Run("adapt", "--model", Bundle, "--support", support, "--query", query, "--threads", "1", "--graph-cache", cache, "--json");
        Assert.True(run.Exit == 0, run.Error);
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.GetProperty("predictions").GetRawText();
    }

    private string WriteSet(string name, int count, int seed) => RandomExampleSets.Write(_folder, name, count, seed);
}
