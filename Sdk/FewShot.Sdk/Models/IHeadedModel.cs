using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A model split into a body (feature extractor) and a head: what ANIL adapts alone and what the fine-tuning
/// baseline replaces. Forward(x) = Head(Features(x)).
/// </summary>
public interface IHeadedModel : IFewShotModel
{
    /// <summary>Names of the head's parameters.</summary>
    IReadOnlyList<string> HeadParameterNames { get; }

    /// <summary>Appends the body; returns the features [batch, F].</summary>
    string Features(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters);

    /// <summary>Appends the head over features; returns [batch, <see cref="IFewShotModel.OutputSize"/>].</summary>
    string Head(GraphBuilder graph, string features, IReadOnlyDictionary<string, string> parameters);
}
