namespace FewShot.Samples.WebService;

/// <summary>The service's settings, bound from the configuration section <see cref="Section"/>. Read once, at startup.</summary>
public sealed class FewShotServiceOptions
{
    /// <summary>The configuration section: "FewShot" (environment variables <c>FewShot__BundlePath</c> and so on).</summary>
    public const string Section = "FewShot";

    /// <summary>
    /// The bundle to serve. A relative path is looked up under the content root and then under each folder above
    /// it, so the default finds the repository's <c>models/</c> when the service runs from its project folder.
    /// </summary>
    public string BundlePath { get; set; } = "models/omniglot-protonet-paper.fewshot";

    /// <summary>The folder holding one adapted-state file per user, created if missing; relative paths are under the content root.</summary>
    public string StateFolder { get; set; } = "user-states";

    /// <summary>Threads per ONNX Runtime operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }
}
