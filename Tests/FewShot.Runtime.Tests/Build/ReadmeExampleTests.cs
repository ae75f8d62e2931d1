using System.Text.RegularExpressions;
using FewShot.Tests.Shared;

namespace FewShot.Runtime.Tests.Build;

/// <summary>
/// The package README's "Adapt and predict" example, as a NuGet user meets it: a new console app that references the
/// packed FewShot.Runtime and Microsoft.ML.OnnxRuntime, with the README's code block as its body, builds and runs on
/// the shipped ProtoNets bundle. The README cannot drift from the API without this failing.
/// </summary>
public sealed partial class ReadmeExampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-readme-").FullName;

    // A version no cache can hold, so that the app restores these packages and not older ones of the same number.
    private readonly string _version = $"0.0.0-readme.{Guid.NewGuid():N}";

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        // The app's restore copied the two packages into NuGet's global folder; nothing else will use this version.
        DotnetCli.RemoveFromGlobalPackages(["fewshot.runtime", "fewshot.bundles"], _version);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheAdaptAndPredictExampleBuildsAndRunsAgainstThePackages()
    {
        string feed = Directory.CreateDirectory(Path.Combine(_folder, "feed")).FullName;
        string app = Directory.CreateDirectory(Path.Combine(_folder, "app")).FullName;
        foreach (string project in (string[])["Runtime", "Format"])
        {
            DotnetCli.Pack(project, feed, _version);
        }

        ConsoleApp.WriteLocalFeed(app, "../feed");
        ConsoleApp.WriteProject(app, $"""<PackageReference Include="FewShot.Runtime" Version="{_version}" />""", """<PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.32.0" />""");
        File.WriteAllText(Path.Combine(app, "Program.cs"), ProgramFromReadme());
        File.Copy(Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot"), Path.Combine(app, "omniglot-protonet-paper.fewshot"));

        string output = DotnetCli.Run(app, "run", "-c", "Release");

        Assert.Matches(@"3 predictions: class [0-4], class [0-4], class [0-4]; reloaded state: 5 classes", output);
        Assert.True(File.Exists(Path.Combine(app, "user-42.state")), "the example's Save wrote no state");
    }

    /// <summary>The README's block with its usings first, and the inputs it leaves to the reader defined before it.</summary>
    private static string ProgramFromReadme()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "Runtime", "README.md"));
        Match block = AdaptAndPredictBlock().Match(readme);
        Assert.True(block.Success, "Runtime/README.md has no C# block under '## Adapt and predict'");
        string[] lines = block.Groups[1].Value.Split('\n');
        bool IsUsingDirective(string line) => line.StartsWith("using ", StringComparison.Ordinal) && line.EndsWith(';') && !line.Contains('=');
        return string.Join('\n', lines.Where(IsUsingDirective)) + """


            // The inputs the README leaves to the reader: 5 classes × 2 random 28×28 examples, and 3 queries.
            var random = new Random(0);
            float[] Examples(int n) => [.. Enumerable.Range(0, n * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f)];
            float[] supportInputs = Examples(10);
            string[] supportLabels = [.. Enumerable.Range(0, 10).Select(i => $"class {i % 5}")];
            float[] queryInputs = Examples(3);

            """ + string.Join('\n', lines.Where(line => !IsUsingDirective(line))) + """

            Console.WriteLine($"{predictions.Count} predictions: {string.Join(", ", predictions.Select(p => p.Label))}; reloaded state: {again.Labels.Count} classes");

            """;
    }

    [GeneratedRegex(@"## Adapt and predict\n\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex AdaptAndPredictBlock();
}
