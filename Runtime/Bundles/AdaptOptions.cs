using FewShot.Bundles;
namespace FewShot.Runtime.Bundles;

/// <summary>Options of one adaptation. Defaults are set here and checked when <see cref="FewShotModel"/> adapts.</summary>
/// <remarks>Not thread-safe to mutate; an adaptation reads the options once, at its start.</remarks>
public sealed class AdaptOptions
{
    /// <summary>
    /// Inner-loop steps; null (the default) for the bundle's K (<see cref="ManifestInnerLoop.Steps"/>). The one-step
    /// graph runs that many times, each run feeding the next. At least 1. Ignored by prototype (embedding) bundles,
    /// which adapt in one pass.
    /// </summary>
    public int? Steps { get; set; }

    /// <summary>
    /// Runs the bundle's K-step unrolled graph (adapt_k.onnx) once instead of the one-step graph K times; the adapted
    /// state is the same up to float rounding. Off by default: on ONNX Runtime's CPU provider the unrolled graph is
    /// usually no faster, and its session, created on first use, is the costliest to create (about 0.2 s for conv4 with
    /// K = 5). Requires <see cref="Steps"/> to be null or K. Ignored by prototype bundles.
    /// </summary>
    public bool Unrolled { get; set; }

    /// <summary>
    /// The classes and their order (class index = position), instead of the support labels' order of first appearance.
    /// Every support label must be one of them and every one of them needs at least one support example. Null by default.
    /// Classification bundles only; the others have no labels and ignore it.
    /// </summary>
    public IReadOnlyList<string>? Labels { get; set; }
}
