namespace FewShot.Runtime.Bundles;

/// <summary>How <see cref="FewShotModel"/> loads a bundle and runs its graphs. Defaults are set here and checked at load.</summary>
/// <remarks>Not thread-safe to mutate; a model reads the options once, when it loads, and keeps no reference.</remarks>
public sealed class RuntimeOptions
{
    /// <summary>The default of <see cref="MaxEntryBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxEntryBytes = 1L << 30;

    /// <summary>Where the graphs run; default <see cref="ExecutionDevice.Cpu"/>.</summary>
    public ExecutionDevice Device { get; set; } = ExecutionDevice.Cpu;

    /// <summary>Threads one operator may use, per graph; 0 lets ONNX Runtime choose (one per physical core). Must not be negative.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>The largest automatic <see cref="AdaptationShares"/> and <see cref="PredictionShares"/>.</summary>
    public const int MaxAutomaticAdaptationShares = 4;

    /// <summary>The fewest examples a share of <see cref="AdaptationShares"/> or <see cref="PredictionShares"/> takes.</summary>
    public const int MinExamplesPerShare = 4;

    /// <summary>
    /// How many threads adapt side by side, each stepping on its share of the support set, in bundles whose steps are
    /// separable (the manifest's <c>innerLoop.separableSteps</c>: each example normalized by itself or not at all, a
    /// mean loss, plain gradient steps, as MAML with group norm): a step on the whole set is the mean of the shares'
    /// steps weighted by their sizes, the same to rounding, and each share runs the step graph on one core instead of
    /// every operator being split across the cores (2 shares, conv4 with group norm on 25 images, a 2-vCPU VM: 1.14–1.80×
    /// one thread, Runtime/README.md). The adapt graph of such a bundle then runs with one intra-op thread.
    /// 0 (default): <see cref="IntraOpThreads"/> when set, else the processor count, at most
    /// <see cref="MaxAutomaticAdaptationShares"/>; 1: off. Never more shares than support examples / <see cref="MinExamplesPerShare"/>;
    /// not with CUDA, not with <see cref="ReleaseMemoryAfterCall"/>, and not for bundles that do not declare separable steps. Must not be negative.
    /// </summary>
    public int AdaptationShares { get; set; }

    /// <summary>
    /// How many threads predict side by side, each on its share of the queries, in bundles whose predictions do not
    /// depend on the batch (<see cref="FewShot.Bundles.ModelManifest.PredictionsDependOnBatch"/> false: every normalization
    /// but transductive batch norm): each share runs the predict graph on one core, and the outputs are the same as in
    /// one piece. The predict graph of such a bundle then runs with one intra-op thread. 0 (default): as
    /// <see cref="AdaptationShares"/>; 1: off. Never more shares than queries / <see cref="MinExamplesPerShare"/>; not with
    /// CUDA, nor with <see cref="ReleaseMemoryAfterCall"/>. Must not be negative.
    /// </summary>
    public int PredictionShares { get; set; }

    /// <summary>Threads for independent operators under <see cref="ExecutionMode.Parallel"/>; 0 lets ONNX Runtime choose. Must not be negative.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>Whether independent nodes may run concurrently; default <see cref="ExecutionMode.Sequential"/>.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>How much ONNX Runtime rewrites the graphs; default <see cref="GraphOptimizationLevel.All"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>
    /// The least severe ONNX Runtime message logged (to standard error); default <see cref="LogSeverity.Error"/>, because at
    /// warning level ORT reports every state tensor of every graph as "an initializer that appears in graph inputs",
    /// which is exactly how bundles let the runtime override θ₀.
    /// </summary>
    public LogSeverity LogSeverity { get; set; } = LogSeverity.Error;

    /// <summary>
    /// The largest uncompressed zip entry accepted, in bytes (default <see cref="DefaultMaxEntryBytes"/>); larger or
    /// falsely declared entries are rejected before they are inflated, which defeats zip bombs. Must be positive.
    /// </summary>
    public long MaxEntryBytes { get; set; } = DefaultMaxEntryBytes;

    /// <summary>
    /// Whether ORT's intra-op worker threads may spin between operators (ONNX Runtime's <c>session.intra_op.allow_spinning</c>).
    /// Default true.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Whether spinning workers stop as soon as a run returns (ONNX Runtime's <c>session.force_spinning_stop</c>).
    /// Default true, unlike ORT: a bundle's graphs run in turn in separate sessions, each with its own workers, and
    /// a session's workers spinning after its run took the cores from the next session's run; idle spinning also
    /// burns CPU time that a battery-powered device pays for. No effect with one intra-op thread.
    /// </summary>
    public bool StopSpinningAfterRun { get; set; } = true;

    /// <summary>
    /// Whether Load ends with one throwaway adaptation and prediction on zeros (the bundle's episode shape, else 5 shots
    /// and 15 queries per class), so that the app's first adaptation runs as fast as later ones instead of 1.3 to 1.9
    /// times slower (ONNX Runtime's first runs plan memory and fault in pages). Default true; turn it off in a process
    /// that adapts once and exits, where it would only add that work to Load.
    /// </summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>
    /// Whether Load opens predict.onnx alone, for a process that only predicts with adapted states saved earlier
    /// (<see cref="FewShotModel.LoadAdapted(string)"/>): the adaptation graphs are neither optimized nor held, which saves
    /// their sessions' creation and memory (fewshot-edge <c>classify</c>, benchmarks/README.md "Cold start"). Such a
    /// model's Adapt methods throw <see cref="InvalidOperationException"/>, and <see cref="WarmUp"/> does nothing (Load
    /// has no adapted state to predict with). Default false.
    /// </summary>
    public bool PredictionOnly { get; set; }

    /// <summary>
    /// When set, each of the bundle's graph sessions writes an ONNX Runtime profile (a Chrome-trace JSON file named
    /// <c>{prefix}_{date}_{time}.json</c>), complete once the model is disposed: time per node of every run. Default null (off).
    /// </summary>
    public string? ProfilingFilePrefix { get; set; }

    /// <summary>
    /// A folder where ONNX Runtime's optimized form of each graph is kept for later loads of the same bundle on this
    /// machine, or null (the default) for none. Load optimizes every graph it opens (conv4 MAML's adapt graph: a session
    /// in 41 ms from the bundle's graph, 15 ms from its optimized form) and, with a folder, writes the optimized graphs
    /// there once; later processes open them without optimizing (`fewshot adapt` on that bundle 14–38 ms sooner in
    /// alternated starts). Entries are named by a SHA-256 of the graph, ONNX Runtime's version, the optimization level
    /// and the CPU's instruction sets, so a folder shared between machines or versions stays correct; the folder keeps at
    /// most 256 MB of entries (those written longest ago go first) and may be deleted at any time. Entries run as the
    /// bundle's graphs do: give the folder the same trust as the bundle (the CLI uses <see cref="DefaultGraphCacheDirectory"/>;
    /// a folder the cache creates is its owner's alone). CPU sessions only; ignored with
    /// <see cref="GraphOptimizationLevel.Disabled"/>. An unreadable, unwritable or damaged cache is logged and passed over:
    /// Load then optimizes, as without one.
    /// </summary>
    public string? GraphCacheDirectory { get; set; }

    /// <summary>
    /// The per-user folder for <see cref="GraphCacheDirectory"/> that FewShot's own tools use: <c>$XDG_CACHE_HOME/fewshot/graphs</c>,
    /// else <c>~/.cache/fewshot/graphs</c> (on Windows <c>%LOCALAPPDATA%\FewShot\graphs</c>); null when the user has no home folder.
    /// </summary>
    public static string? DefaultGraphCacheDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return local.Length == 0 ? null : Path.Combine(local, "FewShot", "graphs");
        }

        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache && Path.IsPathRooted(cache))
        {
            return Path.Combine(cache, "fewshot", "graphs");
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length == 0 ? null : Path.Combine(home, ".cache", "fewshot", "graphs");
    }

    /// <summary>
    /// Whether a model asked to run on CUDA runs on the CPU instead when CUDA cannot be used (no GPU, or CUDA 13 / cuDNN 9
    /// libraries missing), with a warning through the logger given to <see cref="FewShotModel.Load(string, RuntimeOptions?, Microsoft.Extensions.Logging.ILogger?)"/>.
    /// Default false: an unavailable device is an <see cref="ExecutionDeviceException"/>, never a silent slowdown.
    /// </summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>The default of <see cref="MaxAdaptationSteps"/>: 1,000.</summary>
    public const int DefaultMaxAdaptationSteps = 1_000;

    /// <summary>The default of <see cref="MaxPredictionBatch"/>: 1,024 queries.</summary>
    public const int DefaultMaxPredictionBatch = 1_024;

    /// <summary>
    /// The most inner-loop steps one adaptation may run, whether the bundle's K (checked at load: a bundle whose K exceeds
    /// it is refused) or <see cref="AdaptOptions.Steps"/> (checked per call). Default <see cref="DefaultMaxAdaptationSteps"/>:
    /// a conv4 step takes about 10 ms on one core, so adaptation stays under seconds. Must be positive.
    /// </summary>
    public int MaxAdaptationSteps { get; set; } = DefaultMaxAdaptationSteps;

    /// <summary>
    /// How long one adaptation may run before it stops with <see cref="TimeoutException"/>; checked between steps and by
    /// ONNX Runtime between nodes. Null (the default) for no time limit beyond <see cref="MaxAdaptationSteps"/>.
    /// </summary>
    public TimeSpan? AdaptationTimeout { get; set; }

    /// <summary>
    /// The most queries one run of the predict graph takes; larger query sets run in chunks of this size, so memory stays
    /// bounded (ONNX Runtime otherwise allocates every intermediate for the whole set at once). Default
    /// <see cref="DefaultMaxPredictionBatch"/>. Must be positive. With transductive batch norm (see
    /// <see cref="FewShot.Bundles.ModelManifest.PredictionsDependOnBatch"/>), a query's statistics come from its chunk.
    /// </summary>
    public int MaxPredictionBatch { get; set; } = DefaultMaxPredictionBatch;

    /// <summary>
    /// Whether each Adapt and Predict call, at its last graph run, returns the unused part of ONNX Runtime's CPU memory
    /// arena to the system. Default false: the arena keeps its largest allocations for the next call, which is fastest
    /// for a device adapting one task at a time. Turn it on in servers whose memory must fall back after a burst of
    /// large requests; each call then pays for allocating its buffers anew.
    /// </summary>
    public bool ReleaseMemoryAfterCall { get; set; }

    /// <summary>
    /// Whether ONNX Runtime serves the graphs' CPU buffers from a memory arena (default true, ONNX Runtime's default):
    /// one arena for the process, shared by every model loaded with this option on (see
    /// <see cref="OnnxRuntimeEnvironment"/>). The arena keeps the largest buffers it ever held, so a process that once
    /// served a large batch stays that large. False returns every buffer to the C allocator when a run ends (with glibc's
    /// <c>MALLOC_TRIM_THRESHOLD_</c> set low, to the system): a server's memory falls back after a burst, at the price of
    /// allocating every buffer anew on every run (gradient steps measured 1.8× slower). See also <see cref="ReleaseMemoryAfterCall"/>.
    /// </summary>
    public bool UseMemoryArena { get; set; } = true;

    /// <summary>The shortest <see cref="StateSigningKey"/> accepted: 16 bytes (128 bits).</summary>
    public const int MinStateSigningKeyBytes = 16;

    /// <summary>
    /// The app's secret key for signed adapted states (HMAC-SHA256; at least <see cref="MinStateSigningKeyBytes"/>
    /// random bytes, 32 recommended; from configuration as base64). When set, <see cref="AdaptedModel.Save(string, string)"/>
    /// signs states and binds them to an owner id, and <see cref="FewShotModel.LoadAdapted(string, string)"/> refuses
    /// unsigned states, edited ones, ones signed with another key and ones of another owner. Null (the default): states
    /// carry a SHA-256 that catches corruption, not deliberate edits. The model keeps a copy taken at load.
    /// </summary>
    public byte[]? StateSigningKey { get; set; }

    /// <summary>A snapshot, so that later changes by the caller do not reach a loaded model.</summary>
    internal RuntimeOptions Copy() => (RuntimeOptions)MemberwiseClone();

    /// <summary>The shares <see cref="AdaptationShares"/> asks for, before the bundle and the support set have their say.</summary>
    internal int RequestedAdaptationShares() => RequestedShares(AdaptationShares, nameof(AdaptationShares));

    /// <summary>The shares <see cref="PredictionShares"/> asks for, before the bundle and the queries have their say.</summary>
    internal int RequestedPredictionShares() => RequestedShares(PredictionShares, nameof(PredictionShares));

    private int RequestedShares(int setting, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(setting, name);
        if (Device.Kind != ExecutionDeviceKind.Cpu || ReleaseMemoryAfterCall)
        {
            return 1;
        }

        return setting > 0 ? setting
            : IntraOpThreads > 0 ? Math.Min(IntraOpThreads, MaxAutomaticAdaptationShares)
            : Math.Min(Environment.ProcessorCount, MaxAutomaticAdaptationShares);
    }
}
