using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// Marks values through which no gradient flows (first-order MAML, frozen encoders): an Identity node whose
/// doc string carries <see cref="Marker"/>. It computes nothing at run time; the autodiff treats its output as a constant.
/// </summary>
public static class StopGradient
{
    /// <summary>The doc string that marks a stop-gradient node.</summary>
    public const string Marker = "fewshot:stop_gradient";

    /// <summary>Appends a stop-gradient Identity on <paramref name="value"/> and returns the marked copy.</summary>
    public static string Apply(GraphBuilder graph, string value)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var output = graph.UniqueName($"{value}_stopped");
        graph.Node("Identity", [value], [output]).DocString = Marker;
        return output;
    }

    /// <summary>True when the node is a stop-gradient marker.</summary>
    public static bool IsMarked(NodeProto node) => node.DocString == Marker;
}
