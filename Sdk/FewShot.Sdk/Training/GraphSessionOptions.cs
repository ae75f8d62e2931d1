using Microsoft.ML.OnnxRuntime;
using FewShotExecutionMode = FewShot.Runtime.ExecutionMode;
using FewShotOptimizationLevel = FewShot.Runtime.GraphOptimizationLevel;
using LogSeverity = FewShot.Runtime.LogSeverity;

namespace FewShot.Sdk.Training;

/// <summary>
/// How the Sdk's training and evaluation graphs are run by ONNX Runtime (on the CPU). Defaults are ORT's own;
/// values are checked when a <see cref="GraphSession"/> is created.
/// </summary>
/// <remarks>Not thread-safe to mutate; a session reads the options once, when it is created, and keeps no reference.</remarks>
public sealed class GraphSessionOptions
{
    /// <summary>Threads that one operator may use; 0 lets ORT choose (one per physical core). Must not be negative.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads that run independent operators at once under <see cref="FewShotExecutionMode.Parallel"/>; 0 lets ORT choose. Must not be negative.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>How much ORT rewrites the graph before running it; default <see cref="FewShotOptimizationLevel.All"/>.</summary>
    public FewShotOptimizationLevel GraphOptimizationLevel { get; set; } = FewShotOptimizationLevel.All;

    /// <summary>Whether independent nodes may run concurrently; default <see cref="FewShotExecutionMode.Sequential"/>.</summary>
    public FewShotExecutionMode ExecutionMode { get; set; } = FewShotExecutionMode.Sequential;

    /// <summary>The least severe message a session logs (to standard error, through ORT's logger); default <see cref="LogSeverity.Warning"/>, ORT's own.</summary>
    public LogSeverity LogSeverity { get; set; } = LogSeverity.Warning;

    /// <summary>
    /// Whether the intra-op worker threads spin for a while after their work before they sleep; default true, ORT's
    /// own. Turn it off where several sessions run in turn on few cores: spinning workers of one take cores from another.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Whether spinning workers stop as soon as a run returns (ORT's "session.force_spinning_stop"); default false, ORT's own.
    /// </summary>
    public bool StopSpinningAfterRun { get; set; }

    /// <summary>
    /// When set, ORT writes per-node timings of every run as a Chrome-trace JSON file named
    /// <c>{prefix}_{date}_{time}.json</c>, complete once the session is disposed. It slows runs down. Default null (off).
    /// </summary>
    public string? ProfilingFilePrefix { get; set; }

    /// <summary>ORT's options for these settings; the caller owns and disposes them (a session keeps its own copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A thread count is negative, or an enum value is undefined.</exception>
    internal SessionOptions ToSessionOptions()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(InterOpThreads, nameof(InterOpThreads));
        var optimization = GraphOptimizationLevel switch
        {
            FewShotOptimizationLevel.Disabled => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
            FewShotOptimizationLevel.Basic => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            FewShotOptimizationLevel.Extended => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            FewShotOptimizationLevel.All => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
            var other => throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), other, "expected Disabled, Basic, Extended or All"),
        };
        var mode = ExecutionMode switch
        {
            FewShotExecutionMode.Sequential => Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_SEQUENTIAL,
            FewShotExecutionMode.Parallel => Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_PARALLEL,
            var other => throw new ArgumentOutOfRangeException(nameof(ExecutionMode), other, "expected Sequential or Parallel"),
        };
        if (!Enum.IsDefined(LogSeverity))
        {
            throw new ArgumentOutOfRangeException(nameof(LogSeverity), LogSeverity, "expected Verbose, Info, Warning, Error or Fatal");
        }

        // FewShot's process-wide ONNX Runtime settings (telemetry off) apply before the first session exists.
        FewShot.Runtime.OnnxRuntimeEnvironment.EnsureCreated();
        var options = new SessionOptions();
        try
        {
            options.IntraOpNumThreads = IntraOpThreads;
            options.InterOpNumThreads = InterOpThreads;
            options.GraphOptimizationLevel = optimization;
            options.ExecutionMode = mode;

            // FewShot's severities are numbered as ORT's logging levels.
            options.LogSeverityLevel = (OrtLoggingLevel)(int)LogSeverity;
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
            options.AddSessionConfigEntry("session.force_spinning_stop", StopSpinningAfterRun ? "1" : "0");
            if (ProfilingFilePrefix is not null)
            {
                // The prefix first: enabling profiling hands ORT the prefix set at that moment (the default one otherwise).
                options.ProfileOutputPathPrefix = ProfilingFilePrefix;
                options.EnableProfiling = true;
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
