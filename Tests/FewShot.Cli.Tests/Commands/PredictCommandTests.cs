using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>`fewshot predict --state`: a state saved by `fewshot adapt --save` predicts as the adapting run did, and a wrong state is refused by name.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private static readonly string Bundle = Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot");
    private static readonly string OtherBundle = Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot");
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-predict-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ASavedStatePredictsAsTheAdaptingRunDid()
    {
        string state = Path.Combine(_folder, "device.state");
        string query = WriteSet("query.npz", count: 10, seed: 2);

        var adapt = Run("adapt", "--model", Bundle, "--support", WriteSet("support.npz", count: 5, seed: 1), "--query", query, "--save", state, "--threads", "1", "--json");
        var predict = Run("predict", "--model", Bundle, "--state", state, "--query", query, "--threads", "1", "--json");

        Assert.True(adapt.Exit == 0, adapt.Error);
        Assert.True(predict.Exit == 0, predict.Error);
        Assert.Contains("\"predictions\":[{", predict.Output, StringComparison.Ordinal);
        Assert.Equal(adapt.Output, predict.Output);
        // Beside --json's object, not in it: where the state went.
        Assert.Equal($"state saved to '{state}' (fewshot predict --state reads it with this bundle)", adapt.Error.Trim());
    }

    [Fact]
    public void TheTableNamesTheClassesAndQueriesInTheirNumber()
    {
        string state = Path.Combine(_folder, "device.state");
        string one = WriteSet("one.npz", count: 1, seed: 2);
        var adapt = Run("adapt", "--model", Bundle, "--support", WriteSet("support.npz", count: 5, seed: 1), "--query", one, "--save", state, "--threads", "1");

        var table = Run("predict", "--model", Bundle, "--state", state, "--query", one, "--threads", "1");

        Assert.True(adapt.Exit == 0, adapt.Error);
        Assert.EndsWith($"state saved to '{state}' (fewshot predict --state reads it with this bundle)", adapt.Output.TrimEnd(), StringComparison.Ordinal);
        Assert.True(table.Exit == 0, table.Error);
        Assert.Contains("adapted to 5 classes; 1 query:", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AStateOfAnotherBundleOrATruncatedOneIsAClearError()
    {
        string state = Path.Combine(_folder, "device.state");
        string query = WriteSet("query.npz", count: 3, seed: 2);
        Assert.Equal(0, Run("adapt", "--model", Bundle, "--support", WriteSet("support.npz", count: 5, seed: 1), "--query", query, "--save", state, "--threads", "1").Exit);
        string truncated = Path.Combine(_folder, "truncated.state");
        File.WriteAllBytes(truncated, File.ReadAllBytes(state)[..100]);

        var other = Run("predict", "--model", OtherBundle, "--state", state, "--query", query);
        var broken = Run("predict", "--model", Bundle, "--state", truncated, "--query", query);
        var missing = Run("predict", "--model", Bundle, "--state", Path.Combine(_folder, "none.state"), "--query", query);

        Assert.Equal(1, other.Exit);
        Assert.Contains("belongs to model", other.Error, StringComparison.Ordinal);
        Assert.Equal(1, broken.Exit);
        Assert.Contains("corrupted or truncated", broken.Error, StringComparison.Ordinal);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("none.state", missing.Error, StringComparison.Ordinal);
    }

    private string WriteSet(string name, int count, int seed) => RandomExampleSets.Write(_folder, name, count, seed);
}
