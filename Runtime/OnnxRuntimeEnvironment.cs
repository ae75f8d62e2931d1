using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime;

/// <summary>
/// ONNX Runtime's process-wide environment, created once with FewShot's settings before any session: ONNX Runtime's
/// telemetry is off, so that nothing is written outside the app's folders (ONNX Runtime 1.32 otherwise keeps a device id
/// and an event database under <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime/</c> and a session file in the
/// temporary folder, from every process). Set the environment variable <c>ORT_DISABLE_TELEMETRY=0</c> before start
/// to leave it on.
/// </summary>
/// <remarks>
/// Every FewShot entry point calls <see cref="EnsureCreated"/>. An application that creates ONNX Runtime sessions of its
/// own before loading a bundle should call it first: ONNX Runtime reads the setting once, when its environment is created.
/// Thread-safe.
/// </remarks>
public static partial class OnnxRuntimeEnvironment
{
    private const string TelemetryVariable = "ORT_DISABLE_TELEMETRY";

    private static readonly Lazy<OrtEnv> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates the environment if nothing has yet; later calls cost a volatile read.</summary>
    /// <returns>ONNX Runtime's environment.</returns>
    public static OrtEnv EnsureCreated() => Instance.Value;

    private static OrtEnv Create()
    {
        // ONNX Runtime reads this with getenv when its environment is created; .NET's Environment.SetEnvironmentVariable
        // does not reach the native environment on Unix, so libc's setenv does it. An explicit value is kept.
        if (!OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(TelemetryVariable) is null)
        {
            _ = SetEnv(TelemetryVariable, "1", overwrite: 0);
        }

        OrtEnv env = OrtEnv.Instance();
        if (Environment.GetEnvironmentVariable(TelemetryVariable) != "0")
        {
            env.DisableTelemetryEvents();
        }

        return env;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
