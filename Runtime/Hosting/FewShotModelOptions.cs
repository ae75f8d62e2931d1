using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Hosting;

/// <summary>
/// What <see cref="FewShotServiceCollectionExtensions.AddFewShotModel"/> loads, bindable from configuration (a section
/// such as <c>"FewShot": { "BundlePath": "...", "Device": "cuda:0" }</c>). Read once, when the model is first resolved.
/// </summary>
public sealed class FewShotModelOptions
{
    /// <summary>The bundle file; a relative path is resolved against the current directory. Required.</summary>
    public string BundlePath { get; set; } = string.Empty;

    /// <summary>"cpu" (default) or "cuda" / "cuda:N"; see <see cref="ExecutionDevice.Parse"/>. Overrides <see cref="RuntimeOptions.Device"/>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Threads, limits and other runtime settings; its <see cref="RuntimeOptions.Device"/> is replaced by <see cref="Device"/>.</summary>
    public RuntimeOptions Runtime { get; set; } = new();
}
