namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>
/// A process that loads a bundle, adapts, saves and reads its state never loads OpenSSL: FewShot.Runtime hashes in
/// managed code, because libcrypto and libssl cost every process about 10 ms and 3.7 MB (benchmarks/README.md, lever table).
/// The dynamic loader's own record (LD_DEBUG=files) lists every library the process opens.
/// </summary>
public sealed class NoOpenSslTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void LearnThenClassify_InFreshProcesses_NeverLoadOpenSsl()
    {
        string inputs = _folder.Combine("inputs");
        foreach (string kind in new[] { "bar", "ring" })
        {
            Directory.CreateDirectory(Path.Combine(inputs, kind));
            File.WriteAllBytes(Path.Combine(inputs, kind, "0.pgm"), Shapes.Pgm(kind, 0, 105));
        }

        string state = _folder.Combine("device.state");
        var loaderRecord = new Dictionary<string, string?> { ["LD_DEBUG"] = "files" };

        (int learned, string learnLoads) = EdgeProcess.Run(_folder.Path, loaderRecord, "learn", "--model", Shapes.MamlBundle, "--support", inputs, "--state", state, "--threads", "1");
        (int classified, string classifyLoads) = EdgeProcess.Run(_folder.Path, loaderRecord, "classify", "--model", Shapes.MamlBundle, "--state", state, Path.Combine(inputs, "ring", "0.pgm"));

        Assert.True(learned == 0, learnLoads);
        Assert.True(classified == 0, classifyLoads);
        // The record is real: it names ONNX Runtime's library, which every run loads.
        Assert.Contains("libonnxruntime.so", learnLoads, StringComparison.Ordinal);
        Assert.Contains("libonnxruntime.so", classifyLoads, StringComparison.Ordinal);
        Assert.DoesNotContain("libcrypto", learnLoads, StringComparison.Ordinal);
        Assert.DoesNotContain("libssl", learnLoads, StringComparison.Ordinal);
        Assert.DoesNotContain("libcrypto", classifyLoads, StringComparison.Ordinal);
        Assert.DoesNotContain("libssl", classifyLoads, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
