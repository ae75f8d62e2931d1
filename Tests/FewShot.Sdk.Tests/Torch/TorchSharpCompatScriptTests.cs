using System.Reflection;
using System.Security.Cryptography;
using FewShot.Tests.Shared;
using static FewShot.Sdk.Tests.Torch.ShimInspection;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// build/torchsharp-compat.sh patches a copy of TorchSharp's shim once, leaves the NuGet cache alone, skips where
/// libstdc++ is new enough and refuses where marking GLIBCXX_3.4.32 weak would not be enough.
/// </summary>
public sealed class TorchSharpCompatScriptTests : IDisposable
{
    private const string Shim = "libLibTorchSharp.so";
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("fewshot-torch-compat-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void PatchesACopyOnceAndLeavesThePackageAlone()
    {
        var pristine = PristineShim();
        var cacheHash = Hash(pristine);
        var output = Output(pristine);
        var shim = Path.Combine(output, "runtimes", "linux-x64", "native", Shim);
        var stamp = File.GetLastWriteTimeUtc(shim);

        var first = Run(output, libStdCxx: null);
        var patched = File.ReadAllBytes(shim);
        var second = Run(output, libStdCxx: null);

        if (LibStdCxxHas(pristine, "GLIBCXX_3.4.32"))
        {
            Assert.Equal((0, ""), (first.Exit, first.Output));
            Assert.Equal(cacheHash, Hash(shim));
            return;
        }

        Assert.Equal(0, first.Exit);
        Assert.Contains("marked GLIBCXX_3.4.32 weak", first.Output);
        Assert.Equal((0, ""), (second.Exit, second.Output));
        Assert.Equal(patched, File.ReadAllBytes(shim));
        Assert.Equal(1, Differences(File.ReadAllBytes(pristine), patched));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(shim));
        Assert.Equal(cacheHash, Hash(pristine));
    }

    [Fact]
    public void SkipsWhereLibStdCxxHasTheVersion()
    {
        var pristine = PristineShim();
        var output = Output(pristine);
        var newLibStdCxx = FakeLibStdCxx(pristine, "GLIBCXX_3.4.32");

        var result = Run(output, newLibStdCxx);

        Assert.Equal((0, ""), (result.Exit, result.Output));
        Assert.Equal(Hash(pristine), Hash(Path.Combine(output, "runtimes", "linux-x64", "native", Shim)));
    }

    [Fact]
    public void RefusesWhereMoreThanTheIostreamMarkerIsMissing()
    {
        var pristine = PristineShim();
        var output = Output(pristine);
        var oldLibStdCxx = FakeLibStdCxx(shimForSystemVersions: null, "GLIBCXX_3.4", "CXXABI_1.3");

        var result = Run(output, oldLibStdCxx);

        Assert.Equal(1, result.Exit);
        Assert.Contains("GLIBCXX_3.4.30", result.Output);
        Assert.Contains("install a newer libstdc++", result.Output);
        Assert.Equal(Hash(pristine), Hash(Path.Combine(output, "runtimes", "linux-x64", "native", Shim)));
    }

    [Fact]
    public void AFolderWithoutTheShimIsLeftAlone()
    {
        var result = Run(_temp.FullName, libStdCxx: "/nonexistent");

        Assert.Equal((0, ""), (result.Exit, result.Output));
    }

    [Fact]
    public void APackagedCopyWithoutReadelfSkipsANewLibStdCxxAndAsksForBinutilsForAnOldOne()
    {
        var pristine = PristineShim();
        var output = Output(pristine);
        var shim = Path.Combine(output, "runtimes", "linux-x64", "native", Shim);
        // The FewShot.Sdk package's layout: the script without the repository's installer beside it.
        var packaged = Path.Combine(Directory.CreateDirectory(Path.Combine(_temp.FullName, "buildTransitive")).FullName, "torchsharp-compat.sh");
        File.Copy(Path.Combine(RepoPaths.Root, "build", "torchsharp-compat.sh"), packaged);
        var path = Directory.CreateDirectory(Path.Combine(_temp.FullName, "path")).FullName;
        Assert.Equal(0, Bash($"find /usr/bin /bin -mindepth 1 -maxdepth 1 ! -name '*readelf*' -exec ln -sf -t '{path}' {{}} +").Exit);
        (int Exit, string Output) Run(string libStdCxx) => Bash($"PATH='{path}' FEWSHOT_LIBSTDCXX='{libStdCxx}' /bin/bash '{packaged}' '{output}'");

        var newEnough = Run(FakeLibStdCxx(shimForSystemVersions: null, "GLIBCXX_3.4", "GLIBCXX_3.4.32"));
        var tooOld = Run(FakeLibStdCxx(shimForSystemVersions: null, "GLIBCXX_3.4", "CXXABI_1.3"));

        Assert.Equal((0, ""), newEnough);
        Assert.Equal(1, tooOld.Exit);
        Assert.Contains("needs readelf: install binutils", tooOld.Output);
        Assert.Equal(Hash(pristine), Hash(shim));
    }

    /// <summary>The shim as the TorchSharp package ships it, in the NuGet cache (read only).</summary>
    private static string PristineShim()
    {
        var root = typeof(TorchSharpCompatScriptTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        var path = Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native", Shim);
        Assert.True(File.Exists(path), $"TorchSharp's shim is expected at {path}");
        return path;
    }

    /// <summary>A build output folder holding a copy of the shim where .NET puts it.</summary>
    private string Output(string pristine)
    {
        var native = Directory.CreateDirectory(Path.Combine(_temp.FullName, "bin", "runtimes", "linux-x64", "native")).FullName;
        File.Copy(pristine, Path.Combine(native, Shim));
        return Path.Combine(_temp.FullName, "bin");
    }

    /// <summary>
    /// A shared library standing in for a libstdc++: it defines the given symbol versions, and also those of the
    /// libstdc++ that <paramref name="shimForSystemVersions"/> resolves to, when given.
    /// </summary>
    private string FakeLibStdCxx(string? shimForSystemVersions, params string[] versions)
    {
        var map = Path.Combine(_temp.FullName, "versions.map");
        var library = Path.Combine(_temp.FullName, "libstdc++.so.6");
        var system = shimForSystemVersions is null
            ? ""
            : $"readelf -V --wide \"{SystemLibStdCxx(shimForSystemVersions)}\" | grep -oE 'Name: (GLIBCXX|CXXABI)_[0-9.]+' | cut -d' ' -f2;";
        var script = $"set -e; {{ {system} printf '%s\\n' {string.Join(' ', versions)}; }} | sort -u | sed 's/.*/& {{ global: *; }};/' > '{map}'; " +
                     $"echo 'void fewshot_fake(void) {{}}' | gcc -shared -x c - -Wl,--version-script='{map}' -o '{library}'";
        var (exit, output) = Bash(script);
        Assert.True(exit == 0, $"building the stand-in libstdc++ failed: {output}");
        return library;
    }

    private static (int Exit, string Output) Run(string folder, string? libStdCxx)
    {
        var script = Path.Combine(RepoPaths.Root, "build", "torchsharp-compat.sh");
        var environment = libStdCxx is null ? "" : $"FEWSHOT_LIBSTDCXX='{libStdCxx}' ";
        return Bash($"{environment}bash '{script}' '{folder}'");
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static int Differences(byte[] a, byte[] b) => a.Length != b.Length ? -1 : a.Zip(b).Count(p => p.First != p.Second);
}
