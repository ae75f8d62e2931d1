namespace FewShot.Runtime;

/// <summary>How an <see cref="InferenceSession"/> is set up. Defaults are ORT's own; values are checked when a session is created.</summary>
/// <remarks>Not thread-safe to mutate; a session reads the options once, when it is created, and keeps no reference.</remarks>
public sealed class InferenceSessionOptions
{
    /// <summary>Threads that one operator may use; 0 lets ORT choose (one per physical core). Must not be negative.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads that run independent operators at once under <see cref="ExecutionMode.Parallel"/>; 0 lets ORT choose. Must not be negative.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>How much ORT rewrites the graph before running it; default <see cref="GraphOptimizationLevel.All"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>Whether independent nodes may run concurrently; default <see cref="ExecutionMode.Sequential"/>.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>
    /// The least severe message the session logs (to standard error, through ORT's logger); default
    /// <see cref="LogSeverity.Warning"/>, ORT's own.
    /// </summary>
    public LogSeverity LogSeverity { get; set; } = LogSeverity.Warning;

    /// <summary>Where the session runs; default <see cref="ExecutionDevice.Cpu"/>.</summary>
    public ExecutionDevice Device { get; set; } = ExecutionDevice.Cpu;
}
