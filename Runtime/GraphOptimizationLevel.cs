namespace FewShot.Runtime;

/// <summary>How much ONNX Runtime rewrites a graph before running it; values are ORT's <c>GraphOptimizationLevel</c>.</summary>
public enum GraphOptimizationLevel
{
    /// <summary>Run the graph as written.</summary>
    Disabled = 0,

    /// <summary>Semantics-preserving rewrites such as constant folding and removing redundant nodes.</summary>
    Basic = 1,

    /// <summary>Basic plus fusions of node groups into ORT's own kernels.</summary>
    Extended = 2,

    /// <summary>Everything, including memory-layout changes; ORT's default.</summary>
    All = 99,
}
