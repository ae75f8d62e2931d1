using static FewShot.Samples.Tests.EdgeAdapter.EdgeRun;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>fewshot-edge's --graph-cache: learn writes the optimized graphs there, classify reuses them, and no answer changes.</summary>
public sealed class GraphCacheTests : IDisposable
{
    private static readonly string[] Classes = ["bar", "pole", "ring"];
    private readonly TempFolder _folder = new();

    public GraphCacheTests()
    {
        foreach (string kind in Classes)
        {
            Directory.CreateDirectory(_folder.Combine("support", kind));
            File.WriteAllBytes(_folder.Combine("support", kind, "0.pgm"), Shapes.Pgm(kind, 0, 105));
            File.WriteAllBytes(_folder.Combine($"{kind}-4.pgm"), Shapes.Pgm(kind, 4, 105));
        }
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Learn_writes_the_cache_and_classify_answers_as_without_it()
    {
        string cache = _folder.Combine("graphs");
        string[] images = [.. Classes.Select(kind => _folder.Combine($"{kind}-4.pgm"))];
        string plainState = _folder.Combine("plain.state");
        string cachedState = _folder.Combine("cached.state");

        Assert.Equal(0, (await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", plainState, "--threads", "1")).Code);
        (int learned, _, string learnError) = await Run(
            "learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", cachedState, "--threads", "1", "--graph-cache", cache);
        Assert.True(learned == 0, learnError);
        int entries = Directory.GetFiles(cache, "*.onnx").Length;
        Assert.True(entries > 0, "learn wrote no optimized graph");

        (int plainCode, string plain, _) = await Run(["classify", "--model", Shapes.ProtoNetBundle, "--state", plainState, "--threads", "1", .. images]);
        (int cachedCode, string cached, string cachedError) = await Run(
            ["classify", "--model", Shapes.ProtoNetBundle, "--state", cachedState, "--threads", "1", "--graph-cache", cache, .. images]);

        Assert.Equal(0, plainCode);
        Assert.True(cachedCode == 0, cachedError);
        Assert.Equal(plain, cached);
        Assert.Equal(entries, Directory.GetFiles(cache, "*.onnx").Length);
    }

    [Fact]
    public async Task Classify_opens_the_predict_graph_alone()
    {
        // RuntimeOptions.PredictionOnly: a classify into an empty cache optimizes (and so writes) one graph, where learn
        // writes adapt's and predict's.
        string state = _folder.Combine("device.state");
        string learnCache = _folder.Combine("learn-graphs");
        string classifyCache = _folder.Combine("classify-graphs");
        (int learned, _, string learnError) = await Run(
            "learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", state, "--threads", "1", "--graph-cache", learnCache);
        Assert.True(learned == 0, learnError);
        (int classified, _, string classifyError) = await Run(
            ["classify", "--model", Shapes.ProtoNetBundle, "--state", state, "--threads", "1", "--graph-cache", classifyCache, _folder.Combine("ring-4.pgm")]);
        Assert.True(classified == 0, classifyError);

        string[] learnEntries = [.. Directory.GetFiles(learnCache, "*.onnx").Select(Path.GetFileName)!];
        string written = Assert.Single(Directory.GetFiles(classifyCache, "*.onnx"));
        Assert.Equal(2, learnEntries.Length);
        Assert.Contains(Path.GetFileName(written), learnEntries);
    }
}
