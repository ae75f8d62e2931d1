using FewShot.Cli;

namespace FewShot.Cli.Tests.Commands;

public sealed class InfoCommandTests
{
    [Fact]
    public void InfoReportsTheLoadedOnnxRuntime()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = FewShotCommandLine.Create(output, error).Parse(["info"]).Invoke();

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("ONNX Runtime          1.32.0", text);
        Assert.Contains("CPUExecutionProvider", text);
        var libraryLine = text.Split('\n').Single(l => l.StartsWith("ONNX Runtime library", StringComparison.Ordinal));
        Assert.True(File.Exists(libraryLine["ONNX Runtime library".Length..].Trim()), libraryLine);
    }

    [Fact]
    public void InfoReportsTorchSharpLibTorchAndItsThreads()
    {
        var output = new StringWriter();

        var exit = FewShotCommandLine.Create(output, new StringWriter()).Parse(["info"]).Invoke();

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("TorchSharp            0.107.0 (libtorch 2.10", text);
        var threadsLine = text.Split('\n').Single(l => l.StartsWith("libtorch threads", StringComparison.Ordinal));
        Assert.InRange(int.Parse(threadsLine["libtorch threads".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture), 1, 4096);
    }

    [Fact]
    public void UnknownCommandFails()
    {
        var exit = FewShotCommandLine.Create(new StringWriter(), new StringWriter()).Parse(["no-such-command"]).Invoke();

        Assert.NotEqual(0, exit);
    }
}
