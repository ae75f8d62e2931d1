namespace FewShot.Samples.WebService;

/// <summary>
/// The service's own settings, bound from the configuration section <see cref="Section"/>; the model's settings
/// (BundlePath, Device, Runtime) are FewShot.Runtime's <c>FewShotModelOptions</c>, bound from the same section. Read once,
/// at startup, and checked where they are used.
/// </summary>
/// <remarks>
/// Memory is bounded by these limits together: at most <see cref="MaxConcurrentRequests"/> adapt or predict requests are
/// processed at once, each with at most <see cref="MaxExamplesPerRequest"/> examples in a body of at most
/// <see cref="MaxRequestBodyBytes"/>; waiting requests have not read their bodies; the adapted models kept in memory are
/// bounded by <see cref="MaxCachedUsers"/> and <see cref="MaxCachedBytes"/>.
/// </remarks>
public sealed class FewShotServiceOptions
{
    /// <summary>The configuration section: "FewShot" (environment variables <c>FewShot__BundlePath</c> and so on).</summary>
    public const string Section = "FewShot";

    /// <summary>The folder holding one adapted-state file per user, created if missing; relative paths are under the content root.</summary>
    public string StateFolder { get; set; } = "user-states";

    /// <summary>The most examples one adapt or predict request may hold; more are answered 413. Default 512. Must be positive.</summary>
    public int MaxExamplesPerRequest { get; set; } = 512;

    /// <summary>
    /// The largest adapt or predict request body, in bytes; a larger one is answered 413 before it is parsed. Default 0:
    /// sized for <see cref="MaxExamplesPerRequest"/> examples of the served bundle's size written as JSON (see
    /// <see cref="Endpoints.RequestLimits"/>). Must not be negative.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; }

    /// <summary>The most adapt and predict requests processed at once, all users together. Default 2. Must be positive.</summary>
    public int MaxConcurrentRequests { get; set; } = 2;

    /// <summary>
    /// How many more adapt and predict requests may wait, in arrival order, for one of the <see cref="MaxConcurrentRequests"/>;
    /// beyond that they are answered 503 with Retry-After. Default 8. Must not be negative.
    /// </summary>
    public int RequestQueueLimit { get; set; } = 8;

    /// <summary>The most users whose adapted model is kept in memory; the least recently used are dropped (their state file stays). Default 1,000. Must be positive.</summary>
    public int MaxCachedUsers { get; set; } = 1_000;

    /// <summary>
    /// The most bytes of adapted state kept in memory (4 per float of every adapted tensor, 2 per label character); the
    /// least recently used users are dropped first. Default 64 MiB. Must be positive.
    /// </summary>
    public long MaxCachedBytes { get; set; } = 64L << 20;
}
