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

    /// <summary>
    /// Whether the intra-op worker threads spin for a while after their work before they sleep; default true, ORT's
    /// own. Spinning answers the next operator sooner, but spinning threads of one session take cores from another:
    /// turn it off where several sessions run in turn on few cores.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Whether spinning workers stop as soon as a run returns (ORT's "session.force_spinning_stop"), rather than spin
    /// on after it; they spin again during the next run. Default false, ORT's own. Turn it on where several sessions
    /// run in turn, or where idle CPU time matters.
    /// </summary>
    public bool StopSpinningAfterRun { get; set; }

    /// <summary>
    /// When set, ORT records how long every node of every run takes and writes it, as a Chrome-trace JSON file named
    /// <c>{prefix}_{date}_{time}.json</c>, complete once the session is disposed. For finding slow operators; it slows runs down.
    /// Default null (off).
    /// </summary>
    public string? ProfilingFilePrefix { get; set; }

    /// <summary>Where the session runs; default <see cref="ExecutionDevice.Cpu"/>.</summary>
    public ExecutionDevice Device { get; set; } = ExecutionDevice.Cpu;

    /// <summary>A copy whose later changes do not affect this instance.</summary>
    internal InferenceSessionOptions Copy() => (InferenceSessionOptions)MemberwiseClone();
}
