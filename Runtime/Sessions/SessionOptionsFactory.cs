using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Bundles;
using OrtExecutionMode = Microsoft.ML.OnnxRuntime.ExecutionMode;
using OrtOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel;

namespace FewShot.Runtime.Sessions;

/// <summary>Turns <see cref="RuntimeOptions"/> into ONNX Runtime's <see cref="SessionOptions"/>, the device included.</summary>
internal static class SessionOptionsFactory
{
    /// <summary>Creates session options, owned by the caller (ORT copies them into each session, so one set serves several).</summary>
    /// <param name="options">The runtime's options.</param>
    /// <param name="profilePrefix">ORT's profiling file prefix for this session, or null.</param>
    /// <param name="logger">Told when the CPU stands in for an unavailable CUDA device.</param>
    /// <exception cref="ExecutionDeviceException">CUDA was asked for and cannot be used, and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A thread count is negative.</exception>
    public static SessionOptions Create(RuntimeOptions options, string? profilePrefix, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options.IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads, nameof(options.InterOpThreads));
        OrtEnv env = OnnxRuntimeEnvironment.EnsureCreated(options.Device);
        var session = new SessionOptions();
        try
        {
            session.IntraOpNumThreads = options.IntraOpThreads;
            session.InterOpNumThreads = options.InterOpThreads;
            session.ExecutionMode = options.ExecutionMode == ExecutionMode.Parallel ? OrtExecutionMode.ORT_PARALLEL : OrtExecutionMode.ORT_SEQUENTIAL;
            session.GraphOptimizationLevel = options.GraphOptimizationLevel switch
            {
                GraphOptimizationLevel.Disabled => OrtOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimizationLevel.Basic => OrtOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimizationLevel.Extended => OrtOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => OrtOptimizationLevel.ORT_ENABLE_ALL,
            };
            session.LogSeverityLevel = (OrtLoggingLevel)(int)options.LogSeverity;
            session.EnableCpuMemArena = options.UseMemoryArena;
            if (options.UseMemoryArena)
            {
                session.AddSessionConfigEntry(OnnxRuntimeEnvironment.UseSharedArenaKey, "1");

                // Initializers (θ written into a graph) outside the arena: its first chunk is then created by the first
                // request after the first session, in one piece, for ArenaHugePages to advise.
                session.AddSessionConfigEntry("session.use_device_allocator_for_initializers", "1");
            }

            session.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");

            // A bundle's sessions run in turn; workers left spinning after one run take the cores from the next session.
            session.AddSessionConfigEntry("session.force_spinning_stop", options.StopSpinningAfterRun ? "1" : "0");

            // ORT's memory pattern allocates one block per run for all planned intermediates on top of the arena's: the
            // adaptation steps ran as fast without it (thread CPU time, A/B), and `fewshot adapt` peaked 50 MB lower.
            session.EnableMemoryPattern = false;
            if (profilePrefix is not null)
            {
                // The prefix first: enabling profiling hands ORT the prefix set at that moment (the default one otherwise).
                session.ProfileOutputPathPrefix = profilePrefix;
                session.EnableProfiling = true;
            }

            if (options.Device.Kind == ExecutionDeviceKind.Cuda)
            {
                AppendCuda(session, options, logger, CudaSupport.ProviderInPackage(env));
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds the CUDA provider; where it cannot be added, throws, or with <see cref="RuntimeOptions.FallbackToCpu"/> logs
    /// why and leaves the session on the CPU.
    /// </summary>
    /// <param name="session">Receives the provider.</param>
    /// <param name="options">The device asked for, and whether the CPU may stand in for it.</param>
    /// <param name="logger">Told when the CPU stands in.</param>
    /// <param name="providerInPackage">
    /// Whether the loaded ONNX Runtime has a CUDA provider. The CPU-only package has none, and asking it for one fails with
    /// .NET's EntryPointNotFoundException (the provider's entry point is not in its library), not ONNX Runtime's error.
    /// </param>
    /// <exception cref="ExecutionDeviceException">CUDA cannot be used and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    internal static void AppendCuda(SessionOptions session, RuntimeOptions options, ILogger logger, bool providerInPackage)
    {
        ExecutionDeviceException? problem = providerInPackage
            ? TryAppendCuda(session, options.Device)
            : ExecutionDeviceException.CudaNotInPackage(options.Device);
        if (problem is null)
        {
            return;
        }

        if (!options.FallbackToCpu)
        {
            throw problem;
        }

        logger.LogWarning(problem, "CUDA is unavailable; running on the CPU because RuntimeOptions.FallbackToCpu is set");
    }

    private static ExecutionDeviceException? TryAppendCuda(SessionOptions session, ExecutionDevice device)
    {
        try
        {
            session.AppendExecutionProvider_CUDA(device.DeviceId);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return ExecutionDeviceException.CudaUnavailable(device, e);
        }
    }
}
