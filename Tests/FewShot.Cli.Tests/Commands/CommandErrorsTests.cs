using FewShot.Sdk.Data;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>What a user reads when the library refuses their input: the message, without .NET's parameter names.</summary>
public sealed class CommandErrorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ARefusedInputIsOneLineWithoutTheCSharpParameterName()
    {
        string support = Path.Combine(_folder, "nan.npz");
        float[] x = [.. Enumerable.Repeat(float.NaN, 3 * 28 * 28)];
        NpzWriter.Write(support, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, 3, 1, 28, 28), ["y"] = NpyArray.Create(new[] { 0, 1, 2 }, 3) });

        var result = Run("adapt", "--model", Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot"), "--support", support, "--query", support, "--threads", "1");

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: The support inputs hold NaN at example 0", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", result.Error, StringComparison.Ordinal);
    }
}
