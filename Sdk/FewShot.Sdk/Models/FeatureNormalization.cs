namespace FewShot.Sdk.Models;

/// <summary>
/// Where a network's normalization layers take their statistics from. Every mode but <see cref="Batch"/> is inductive:
/// an example's output does not depend on the other examples of its batch, so a query classified alone gets the
/// answer it gets inside any batch (DESIGN idea 5). Each layer keeps a learned per-channel scale and shift.
/// </summary>
public enum FeatureNormalization
{
    /// <summary>Instance normalization: each channel of each example over its own positions. The default of the learners that are not in the MAML family.</summary>
    Instance,

    /// <summary>Group normalization with <see cref="FeatureNormalizations.GroupSize"/> channels per group, per example.</summary>
    Group,

    /// <summary>Layer normalization: all channels and positions of each example together.</summary>
    Layer,

    /// <summary>
    /// Transductive batch normalization with the statistics of the batch seen (the support while adapting, the query
    /// batch while predicting), as MAML and ProtoNets published it: a prediction depends on its batch. Opt-in, for
    /// reproducing papers.
    /// </summary>
    Batch,

    /// <summary>
    /// Batch normalization with the support set's statistics (MetaBN, Bronskill et al. 2020): each inner step's support
    /// pass normalizes by the support's own per-channel statistics, and the queries by those of the support at the
    /// adapted parameters, which adaptation computes with one more pass over the support and keeps in the adapted state
    /// (<see cref="ISupportNormalizedModel"/>). Inductive. For the learners that adapt the whole network by gradient
    /// steps (MAML, FOMAML, Meta-SGD, Reptile), and their runs' default (<c>AlgorithmFactory.DefaultNormalization</c>).
    /// </summary>
    Support,
}

/// <summary>The names of <see cref="FeatureNormalization"/> (command line, run.json, bundle manifests) and its groups.</summary>
public static class FeatureNormalizations
{
    /// <summary>The mode a model uses unless told otherwise; a run's default depends on its learner (<c>AlgorithmFactory.DefaultNormalization</c>).</summary>
    public const FeatureNormalization Default = FeatureNormalization.Instance;

    /// <summary>Channels per group in <see cref="FeatureNormalization.Group"/> (64 channels: 8 groups).</summary>
    public const int GroupSize = 8;

    /// <summary>The names the command line and run.json accept, in <see cref="FeatureNormalization"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["instance", "group", "layer", "batch", "support"];

    /// <summary>The lowercase name: "instance", "group", "layer", "batch" or "support".</summary>
    public static string Name(this FeatureNormalization mode) => Names[(int)mode];

    /// <summary>Parses a name of <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of them.</exception>
    public static FeatureNormalization Parse(string name)
    {
        var index = Names.ToList().IndexOf(name);
        return index >= 0
            ? (FeatureNormalization)index
            : throw new ArgumentException($"unknown normalization '{name}': expected one of {string.Join(", ", Names)} (batch is transductive: a prediction depends on its batch)", nameof(name));
    }

    /// <summary>
    /// Groups of a layer with <paramref name="channels"/> channels (for <see cref="FeatureNormalization.Group"/>, the most
    /// groups of at least <see cref="GroupSize"/> channels that divide them); null for the modes with per-channel
    /// statistics over a batch (<see cref="FeatureNormalization.Batch"/> and <see cref="FeatureNormalization.Support"/>).
    /// </summary>
    public static int? Groups(this FeatureNormalization mode, int channels) => mode switch
    {
        FeatureNormalization.Group => Enumerable.Range(1, Math.Max(1, channels / GroupSize)).Last(g => channels % g == 0),
        FeatureNormalization.Instance => channels,
        FeatureNormalization.Layer => 1,
        _ => null,
    };

    /// <summary>
    /// True when <paramref name="mode"/> subtracts each channel's own mean (batch, support and instance normalization, or
    /// groups of one channel): a per-channel constant added before it, such as a convolution's bias, cancels exactly, so it
    /// has no effect on the output and its gradient is exactly zero. Both lowerings of conv4 then leave the bias out
    /// of the convolution (<see cref="Conv4"/>).
    /// </summary>
    public static bool CancelsChannelOffsets(this FeatureNormalization mode, int channels) =>
        mode is FeatureNormalization.Batch or FeatureNormalization.Support || mode.Groups(channels) == channels;
}
