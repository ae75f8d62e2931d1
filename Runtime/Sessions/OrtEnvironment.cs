using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Sessions;

/// <summary>ONNX Runtime's process-wide environment, created once with FewShot's settings before any session.</summary>
internal static class OrtEnvironment
{
    private static readonly Lazy<OrtEnv> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates the environment if no session has yet; later calls cost a volatile read.</summary>
    public static OrtEnv EnsureCreated() => Instance.Value;

    private static OrtEnv Create()
    {
        OrtEnv env = OrtEnv.Instance();

        // ORT's own telemetry is off: a library must not report from its users' processes.
        env.DisableTelemetryEvents();
        return env;
    }
}
