using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;

namespace FewShot.Runtime.Tests.Build;

/// <summary>
/// What an app outside the repository meets with each choice of native ONNX Runtime package that Runtime/README's install
/// table allows, or none: a console app with a project reference to FewShot.Runtime (which brings the managed API only)
/// and either the CPU-only Microsoft.ML.OnnxRuntime or no native package, loading a bundle as each scenario asks and
/// printing the outcome. This test project references the GPU package, so neither case can be met in its own process.
/// </summary>
public sealed class NativePackageTests : IDisposable
{
    private const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private const string Program = """
        using FewShot.Runtime;
        using FewShot.Runtime.Bundles;
        using Microsoft.Extensions.Logging;

        foreach (string scenario in args[1..])
        {
            var warnings = new Warnings();
            try
            {
                if (scenario == "check")
                {
                    Console.WriteLine($"check: {CudaSupport.Check()}");
                    continue;
                }

                var options = new RuntimeOptions
                {
                    IntraOpThreads = 1,
                    WarmUp = false,
                    Device = scenario == "cpu" ? ExecutionDevice.Cpu : ExecutionDevice.Cuda(0),
                    FallbackToCpu = scenario == "cuda-fallback",
                };
                using FewShotModel model = FewShotModel.Load(args[0], options, warnings);
                Console.WriteLine($"{scenario}: loaded; {warnings.Count} warning(s): {warnings.First}");
            }
            catch (Exception e)
            {
                Console.WriteLine($"{scenario}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} | inside: {e.InnerException?.GetType().Name}");
            }
        }

        sealed class Warnings : ILogger
        {
            public int Count { get; private set; }

            public string First { get; private set; } = "";

            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel == LogLevel.Warning && Count++ == 0)
                {
                    First = $"{formatter(state, exception)} ({exception?.Message})";
                }
            }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-native-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public void CudaFromTheCpuPackage_AndNoNativePackage_RaiseOursOrFallBack_AsTheReadmeSays()
    {
        string bundle = Path.Combine(_folder, "maml.fewshot");
        File.WriteAllBytes(bundle, TestBundles.Bytes(TestBundles.Maml()));

        Dictionary<string, string> cpuPackage = Run(App("cpu-package", """<PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.32.0" />"""), bundle, "check", "cuda", "cuda-fallback", "cpu");

        Assert.StartsWith("the loaded ONNX Runtime has no CUDA provider", cpuPackage["check"]);
        Assert.StartsWith("ExecutionDeviceException: cuda:0 cannot be used: the loaded ONNX Runtime has no CUDA provider", cpuPackage["cuda"]);
        Assert.Contains("reference Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0 instead", cpuPackage["cuda"]);
        Assert.DoesNotContain("EntryPointNotFound", cpuPackage["cuda"]);
        Assert.StartsWith("loaded; 1 warning(s): CUDA is unavailable; running on the CPU", cpuPackage["cuda-fallback"]);
        Assert.Contains("no CUDA provider", cpuPackage["cuda-fallback"]);
        Assert.StartsWith("loaded; 0 warning(s)", cpuPackage["cpu"]);

        Dictionary<string, string> noNative = Run(App("no-native"), bundle, "cpu", "cuda");

        foreach ((string scenario, string device) in (ReadOnlySpan<(string, string)>)[("cpu", "cpu"), ("cuda", "cuda:0")])
        {
            Assert.StartsWith($"ExecutionDeviceException: {device} cannot be used: ONNX Runtime's native library (onnxruntime) is not in the application", noNative[scenario]);
            Assert.Contains("Microsoft.ML.OnnxRuntime 1.32.0 (CPU) or Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0", noNative[scenario]);
            Assert.EndsWith("| inside: DllNotFoundException", noNative[scenario]);
        }
    }

    /// <summary>Writes a console app referencing FewShot.Runtime and <paramref name="nativePackage"/> (none, or one package reference), builds it, and returns its folder.</summary>
    private string App(string name, params string[] nativePackage)
    {
        string app = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        ConsoleApp.WriteProject(app, [$"""<ProjectReference Include="{Path.Combine(RepoPaths.Root, "Runtime", "FewShot.Runtime.csproj")}" />""", .. nativePackage]);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        // FewShot.Runtime as this test run built it: the repository's outputs are read, never rebuilt under other tests.
        DotnetCli.Run(app, "build", "-c", Configuration, "--no-dependencies", "--disable-build-servers", "-nologo", "-v", "quiet");
        return app;
    }

    /// <summary>Runs the app on <paramref name="bundle"/> with <paramref name="scenarios"/>; returns each scenario's outcome.</summary>
    private static Dictionary<string, string> Run(string app, string bundle, params string[] scenarios)
    {
        string output = DotnetCli.Run(app, [Path.Combine(app, "bin", Configuration, "net10.0", "app.dll"), bundle, .. scenarios]);
        Dictionary<string, string> outcomes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2 && scenarios.Contains(parts[0]))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
        Assert.True(scenarios.All(outcomes.ContainsKey), $"the app did not report every scenario ({string.Join(", ", scenarios)}):\n{output}");
        return outcomes;
    }

}
