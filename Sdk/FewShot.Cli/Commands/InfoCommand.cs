using System.CommandLine;
using System.Reflection;
using FewShot.Runtime;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Cli.Commands;

/// <summary><c>fewshot info</c>: versions, the ONNX Runtime library actually loaded, providers and thread settings.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("info", "Show FewShot's version, the ONNX Runtime loaded and where from, execution providers and threads.");
        command.SetAction(_ =>
        {
            try
            {
                Write(output);
                return 0;
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or TypeInitializationException or InvalidOperationException or FileNotFoundException)
            {
                error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void Write(TextWriter output)
    {
        var version = typeof(InfoCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        output.WriteLine($"FewShot               {version.Split('+')[0]}");
        output.WriteLine($".NET                  {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})");

        // Creating the environment loads the native library, so the library path is read after it.
        var environment = OnnxRuntimeEnvironment.EnsureCreated();
        output.WriteLine($"ONNX Runtime          {environment.GetVersionString()}");
        output.WriteLine($"ONNX Runtime library  {NativeLibraryPath.Find() ?? "(not known on this platform)"}");
        output.WriteLine($"Execution providers   {string.Join(", ", environment.GetAvailableProviders())}");
        WriteCuda(output);
        output.WriteLine($"Processors            {Environment.ProcessorCount}");
        var defaults = new GraphSessionOptions();
        output.WriteLine($"Threads (defaults)    intra-op {Threads(defaults.IntraOpThreads)}, inter-op {Threads(defaults.InterOpThreads)}, {defaults.ExecutionMode} execution, optimization {defaults.GraphOptimizationLevel}");
        WriteTorch(output);
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        output.WriteLine($"GLIBC_TUNABLES        {(string.IsNullOrEmpty(tunables) ? $"(not set; libtorch runs best with {TorchSetup.MallocTunables}, which fewshot train and bench train set by restarting themselves)" : tunables)}");
        var tcmalloc = MallocRestart.InstalledTcmalloc();
        output.WriteLine($"Training malloc       {(tcmalloc is null ? "glibc's, tuned (install Debian's libtcmalloc-minimal4 for tcmalloc: up to 25 % less peak memory when training)" : $"tcmalloc ({tcmalloc}), preloaded by fewshot train's restart unless {MallocRestart.TcmallocOptOutVariable}=0 or LD_PRELOAD is set")}");
    }

    // info is the diagnostic to run when TorchSharp does not load, so that failure is reported, not fatal.
    private static void WriteTorch(TextWriter output)
    {
        try
        {
            output.WriteLine($"TorchSharp            {TorchSetup.TorchSharpVersion} (libtorch {TorchSetup.LibTorchVersion}, loaded in {TorchSetup.LoadTime.TotalMilliseconds:F0} ms)");
            output.WriteLine($"libtorch threads      {TorchSetup.Threads}");
        }
        catch (TorchUnavailableException ex)
        {
            output.WriteLine($"TorchSharp            {TorchSetup.TorchSharpVersion}, not loaded: {ex.Message}");
        }
    }

    /// <summary>Whether ONNX Runtime's CUDA provider can start here, and if not, what is missing (FewShot.Runtime's diagnosis).</summary>
    private static void WriteCuda(TextWriter output)
    {
        CudaStatus status = CudaSupport.Check();
        output.WriteLine($"CUDA                  {(status.IsAvailable ? "usable: " : "not usable: ")}{status.Describe()}");
    }

    private static string Threads(int count) => count == 0 ? "ORT's choice (0)" : count.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
