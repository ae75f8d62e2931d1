using System.Diagnostics;

namespace FewShot.Tests.Shared;

/// <summary>
/// The official ONNX checker (full check and strict shape inference), run in one long-lived Python process
/// (Tests/tools/onnx_check.py) shared by all tests of a test assembly. Thread-safe.
/// </summary>
internal static class OnnxChecker
{
    private static readonly object Gate = new();
    private static Process? _process;

    /// <summary>Checks the model bytes and throws with the checker's message when it rejects them.</summary>
    public static void AssertValid(byte[] model, string what)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fewshot-check-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            var verdict = Check(path);
            if (verdict != "ok")
            {
                throw new Xunit.Sdk.XunitException($"the ONNX checker rejects {what}: {verdict}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Check(string path)
    {
        lock (Gate)
        {
            var process = _process ??= Start();
            process.StandardInput.WriteLine(path);
            process.StandardInput.Flush();
            return process.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"the ONNX checker process ended: {process.StandardError.ReadToEnd()}");
        }
    }

    private static Process Start()
    {
        var start = new ProcessStartInfo(Python.Executable, [RepoPaths.Tool("onnx_check.py")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the ONNX checker");
        var greeting = process.StandardOutput.ReadLine();
        if (greeting is null || !greeting.StartsWith("ready", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"the ONNX checker ({Python.Executable} Tests/tools/onnx_check.py) did not start: {process.StandardError.ReadToEnd()} " +
                "Install Debian's python3-onnx (build/install-test-deps.sh does), or set FEWSHOT_PYTHON to a Python that has onnx.");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => process.Kill();
        return process;
    }
}
