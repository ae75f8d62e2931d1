namespace FewShot.Runtime.Bundles;

/// <summary>Options of one adaptation. Defaults are set here and checked when <see cref="FewShotModel"/> adapts.</summary>
/// <remarks>Not thread-safe to mutate; an adaptation reads the options once, at its start.</remarks>
public sealed class AdaptOptions
{
    /// <summary>
    /// Inner-loop steps; null (the default) for the bundle's K (<see cref="ManifestInnerLoop.Steps"/>), which runs the
    /// unrolled graph once; any other count runs the one-step graph that many times. At least 1. Ignored by prototype
    /// (embedding) bundles, which adapt in one pass.
    /// </summary>
    public int? Steps { get; set; }

    /// <summary>
    /// The classes and their order (class index = position), instead of the support labels' order of first appearance.
    /// Every support label must be one of them and every one of them needs at least one support example. Null by default.
    /// Classification bundles only; the others have no labels and ignore it.
    /// </summary>
    public IReadOnlyList<string>? Labels { get; set; }

    /// <summary>Runs the one-step graph even when <see cref="Steps"/> equals K (tests compare the two paths).</summary>
    internal bool StepByStep { get; set; }
}
