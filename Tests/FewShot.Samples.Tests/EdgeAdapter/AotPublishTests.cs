using System.Diagnostics;
using FewShot.Tests.Shared;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>
/// The Native AOT publish that samples/README.md gives: its folder holds the executable, its native symbols and ONNX
/// Runtime's libraries, no managed .pdb or .xml; and the two files the README says a device needs are enough to learn.
/// </summary>
public sealed class AotPublishTests : IDisposable
{
    private static readonly string[] Classes = ["bar", "pole", "ring"];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public void The_publish_folder_holds_what_a_device_needs_and_those_two_files_run()
    {
        string publish = _folder.Combine("publish");
        (int published, string log) = Run(RepoPaths.Root, "dotnet", "publish", Path.Combine(RepoPaths.Root, "samples", "FewShot.Samples.EdgeAdapter"),
            "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", publish, "-nologo", "-v", "quiet");
        Assert.True(published == 0, log);

        Assert.Equal(
            ["fewshot-edge", "fewshot-edge.dbg", "libonnxruntime.so", "libonnxruntime_providers_shared.so"],
            Directory.GetFileSystemEntries(publish).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        string device = Directory.CreateDirectory(_folder.Combine("device")).FullName;
        File.Copy(Path.Combine(publish, "fewshot-edge"), Path.Combine(device, "fewshot-edge"));
        File.Copy(Path.Combine(publish, "libonnxruntime.so"), Path.Combine(device, "libonnxruntime.so"));
        foreach (string kind in Classes)
        {
            Directory.CreateDirectory(_folder.Combine("support", kind));
            File.WriteAllBytes(_folder.Combine("support", kind, "0.pgm"), Shapes.Pgm(kind, 0, 28));
        }

        (int learned, string output) = Run(device, Path.Combine(device, "fewshot-edge"),
            "learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", _folder.Combine("device.state"), "--threads", "1");
        Assert.True(learned == 0, output);
        Assert.Contains("learned 3 classes (bar, pole, ring)", output);
    }

    private static (int ExitCode, string Output) Run(string folder, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 10 minutes");
        }

        return (process.ExitCode, output + error.Result);
    }
}
