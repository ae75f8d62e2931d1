using FewShot.Sdk.Tests.Torch;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Build;

/// <summary>
/// An app outside the repository, as a NuGet user writes it: a new console app that references the packed FewShot.Sdk
/// and nothing of this repository's build, loads libtorch and prints its version. Its build and publish outputs get
/// TorchSharp's compatibility step from the package's buildTransitive targets, so it runs where libstdc++ lacks
/// GLIBCXX_3.4.32 (Debian 12).
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private const string ShimInOutput = "runtimes/linux-x64/native/libLibTorchSharp.so";
    private static readonly string[] Packages = ["fewshot.sdk", "fewshot.exporters", "fewshot.runtime", "fewshot.bundles"];

    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-sdk-consumer-").FullName;

    // A version no cache can hold, so that the app restores these packages and not older ones of the same number.
    private readonly string _version = $"0.0.0-consumer.{Guid.NewGuid():N}";

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        // The app's restore unpacked these packages into NuGet's global folder; nothing else will use this version.
        DotnetCli.RemoveFromGlobalPackages(Packages, _version);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void AnAppReferencingThePackageGetsItsBuildAndPublishOutputsPatchedAndLoadsLibTorch()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_folder, "feed")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(_folder, "app")).FullName;
        foreach (var project in (string[])["Format", "Runtime", "Exporters", "Sdk/FewShot.Sdk"])
        {
            DotnetCli.Pack(project, feed, _version);
        }

        // The local feed beside the machine's own NuGet configuration, which serves TorchSharp and the rest.
        ConsoleApp.WriteLocalFeed(app, "../feed");
        ConsoleApp.WriteProject(app, $"""<PackageReference Include="FewShot.Sdk" Version="{_version}" />""");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using FewShot.Sdk.Torch;

            TorchSetup.Initialize(threads: 1);
            Console.WriteLine($"libtorch {TorchSetup.LibTorchVersion}");
            """);
        var bin = Path.Combine(app, "bin", "Release", "net10.0");
        var publish = Path.Combine(_folder, "publish");

        var built = DotnetCli.Run(app, "build", "-c", "Release", "--disable-build-servers", "-nologo");
        var published = DotnetCli.Run(app, "publish", "-c", "Release", "--no-build", "-o", publish, "--disable-build-servers", "-nologo");

        AssertPatchedOnce(bin, built);
        AssertPatchedOnce(publish, published);
        foreach (var output in (string[])[bin, publish])
        {
            Assert.Matches(@"(^|\n)libtorch \d+\.\d+", DotnetCli.Run(app, Path.Combine(output, "app.dll")));
        }
    }

    /// <summary>
    /// Where this machine's libstdc++ lacks the version, the output's shim was marked once, and the package's own script
    /// (as NuGet unpacked it) finds nothing left to do; elsewhere the step left the shim as the package ships it.
    /// </summary>
    private void AssertPatchedOnce(string output, string log)
    {
        var shim = Path.Combine(output, ShimInOutput);
        Assert.True(File.Exists(shim), $"the output {output} has no {ShimInOutput}");
        var marks = log.Split('\n').Count(line => line.Contains($"torchsharp-compat: marked {ShimInspection.Version} weak in", StringComparison.Ordinal));
        if (ShimInspection.LibStdCxxHas(shim, ShimInspection.Version))
        {
            Assert.Equal(0, marks);
            Assert.False(ShimInspection.NeedIsWeak(shim));
            return;
        }

        Assert.True(marks == 1, $"expected one torchsharp-compat line for {output}:\n{log}");
        Assert.True(ShimInspection.NeedIsWeak(shim), $"{shim} still needs {ShimInspection.Version}");
        var script = Path.Combine(DotnetCli.GlobalPackages, "fewshot.sdk", _version, "buildTransitive", "torchsharp-compat.sh");
        Assert.Equal((0, ""), ShimInspection.Bash($"bash '{script}' '{output}'"));
    }
}
