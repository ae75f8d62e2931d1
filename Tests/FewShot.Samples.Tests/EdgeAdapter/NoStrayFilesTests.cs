namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>
/// A whole process that loads a bundle, adapts and predicts writes nothing but the state file it was asked for: not
/// under HOME (ONNX Runtime 1.32's telemetry cache), not in the temporary folder, not as /tmp/mat-debug-PID.log.
/// </summary>
public sealed class NoStrayFilesTests : IDisposable
{
    private static readonly string[] Classes = ["bar", "pole", "ring"];
    private readonly TempFolder _folder = new();

    [Fact]
    public void LearnThenClassify_InFreshProcesses_WritesOnlyTheChosenStateFile()
    {
        string inputs = _folder.Combine("inputs");
        foreach (string kind in Classes)
        {
            Directory.CreateDirectory(Path.Combine(inputs, kind));
            File.WriteAllBytes(Path.Combine(inputs, kind, "0.pgm"), Shapes.Pgm(kind, 0, 105));
        }

        string home = Directory.CreateDirectory(_folder.Combine("home")).FullName;
        string temp = Directory.CreateDirectory(_folder.Combine("tmp")).FullName;
        string work = Directory.CreateDirectory(_folder.Combine("work")).FullName;
        string state = Path.Combine(_folder.Combine("states"), "device.state");
        Directory.CreateDirectory(Path.GetDirectoryName(state)!);
        HashSet<string> debugLogsBefore = DebugLogs();

        (int learned, string learnError) = Run(home, temp, work, "learn", "--model", Shapes.ProtoNetBundle, "--support", inputs, "--state", state, "--threads", "1");
        (int classified, string classifyError) = Run(home, temp, work, "classify", "--model", Shapes.ProtoNetBundle, "--state", state, Path.Combine(inputs, "ring", "0.pgm"));

        Assert.True(learned == 0, learnError);
        Assert.True(classified == 0, classifyError);
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        Assert.Equal([state], Directory.GetFiles(Path.GetDirectoryName(state)!));
        Assert.Empty(DebugLogs().Except(debugLogsBefore));
    }

    public void Dispose() => _folder.Dispose();

    private static (int ExitCode, string Error) Run(string home, string temp, string work, params string[] arguments) =>
        EdgeProcess.Run(work, new Dictionary<string, string?> { ["HOME"] = home, ["TMPDIR"] = temp, ["ORT_DISABLE_TELEMETRY"] = null }, arguments);

    // ONNX Runtime 1.30 wrote /tmp/mat-debug-<pid>.log whatever TMPDIR said.
    private static HashSet<string> DebugLogs() => [.. Directory.GetFiles("/tmp", "mat-debug-*.log")];
}
