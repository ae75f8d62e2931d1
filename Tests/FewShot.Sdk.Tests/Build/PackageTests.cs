using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Build;

/// <summary>
/// `dotnet pack` makes a FewShot.Sdk package that carries TorchSharp's compatibility step for its users' builds (the
/// repository's own targets and script, as they are), its README, and its dependencies as packages of their own.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _feed = Directory.CreateTempSubdirectory("fewshot-sdk-pack-").FullName;

    public void Dispose() => Directory.Delete(_feed, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public void Pack_ShipsTheCompatibilityStepInBuildTransitive_TheReadme_AndTheDependencies()
    {
        DotnetCli.Pack("Sdk/FewShot.Sdk", _feed);

        using var zip = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(_feed, "FewShot.Sdk.*.nupkg")));
        // One home for the step: the packed files are the repository's, byte for byte.
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "build", "TorchSharpCompat.targets")), Entry(zip, "buildTransitive/FewShot.Sdk.targets"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "build", "torchsharp-compat.sh")), Entry(zip, "buildTransitive/torchsharp-compat.sh"));
        Assert.Contains("lib/net10.0/FewShot.Sdk.dll", zip.Entries.Select(e => e.FullName));

        var readme = System.Text.Encoding.UTF8.GetString(Entry(zip, "README.md"));
        Assert.Contains("dotnet add package FewShot.Sdk", readme);
        Assert.Contains("buildTransitive/FewShot.Sdk.targets", readme);
        Assert.Contains("TorchSetup.Initialize", readme);
        // The example is the repository README's, which Runs/LibraryGuideTests.cs runs.
        var guide = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var example = Regex.Match(guide, @"## Meta-training from C#: your own arrays\n.*?(```csharp\n.*?```)", RegexOptions.Singleline);
        Assert.True(example.Success, "README.md has no C# block under '## Meta-training from C#: your own arrays'");
        Assert.Contains(example.Groups[1].Value, readme);

        var nuspec = XDocument.Load(new MemoryStream(Entry(zip, "FewShot.Sdk.nuspec")));
        var dependencies = Dependencies(nuspec);
        Assert.Equal(
            ["FewShot.Exporters", "FewShot.Runtime", "Microsoft.Extensions.Logging.Abstractions", "SkiaSharp", "SkiaSharp.NativeAssets.Linux", "TorchSharp-cpu"],
            dependencies.Keys.Order(StringComparer.Ordinal));
        var version = nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value;
        Assert.Equal(version, dependencies["FewShot.Exporters"]);
        Assert.Equal(version, dependencies["FewShot.Runtime"]);
        Assert.Equal("README.md", nuspec.Descendants().Single(e => e.Name.LocalName == "readme").Value);
        Assert.Equal("MIT", nuspec.Descendants().Single(e => e.Name.LocalName == "license").Value);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Pack_MakesTheExportersPackageThatTheSdkDependsOn()
    {
        DotnetCli.Pack("Exporters", _feed);

        using var zip = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(_feed, "FewShot.Exporters.*.nupkg")));
        var dependencies = Dependencies(XDocument.Load(new MemoryStream(Entry(zip, "FewShot.Exporters.nuspec"))));
        // The protobuf compiler is a build tool (PrivateAssets="all"), not something the package's users need.
        Assert.Equal(["FewShot.Bundles", "Google.Protobuf"], dependencies.Keys.Order(StringComparer.Ordinal));
    }

    private static byte[] Entry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        Assert.True(entry is not null, $"the package has no {name}: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The nuspec's dependencies (net10.0 group), id to the lowest version each accepts.</summary>
    private static Dictionary<string, string> Dependencies(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
}
