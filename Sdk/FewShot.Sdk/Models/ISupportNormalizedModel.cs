using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A model whose normalization layers can take the support set's statistics (<see cref="FeatureNormalization.Support"/>,
/// MetaBN): a support pass normalizes by the batch's own per-channel statistics; every other pass
/// (<see cref="IFewShotModel.Forward"/>: the queries, predict) reads those of the support at the same parameters from
/// the parameter values, under the names of <see cref="SupportStatistics"/>, which the adapt graphs output into the
/// adapted state.
/// </summary>
public interface ISupportNormalizedModel : IFewShotModel
{
    /// <summary>
    /// The statistics' tensors ("bn&lt;i&gt;.support_mean" zeros and "bn&lt;i&gt;.support_var" ones, [C] each), in the order
    /// every lowering records them; empty unless the model normalizes by support statistics.
    /// </summary>
    IReadOnlyList<ParameterSpec> SupportStatistics { get; }

    /// <summary>Appends a support pass: the forward pass with each normalization layer taking the batch's own statistics.</summary>
    string ForwardOnSupport(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters);

    /// <summary>Appends a support pass through the body alone (a prototype head's start): the features, normalized as in <see cref="ForwardOnSupport"/>.</summary>
    string FeaturesOnSupport(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters);

    /// <summary>
    /// Appends what a support pass computes up to the last normalization layer's statistics, and returns them (name of
    /// <see cref="SupportStatistics"/> → value name): the statistics that the queries at <paramref name="parameters"/> take.
    /// </summary>
    IReadOnlyDictionary<string, string> SupportStatisticsAt(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters);
}
