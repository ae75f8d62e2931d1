namespace FewShot.Samples.WebService;

/// <summary>
/// The service's own settings, bound from the configuration section <see cref="Section"/>; the model's settings
/// (BundlePath, Device, Runtime) are FewShot.Runtime's <c>FewShotModelOptions</c>, bound from the same section. Read once, at startup.
/// </summary>
public sealed class FewShotServiceOptions
{
    /// <summary>The configuration section: "FewShot" (environment variables <c>FewShot__BundlePath</c> and so on).</summary>
    public const string Section = "FewShot";

    /// <summary>The folder holding one adapted-state file per user, created if missing; relative paths are under the content root.</summary>
    public string StateFolder { get; set; } = "user-states";
}
