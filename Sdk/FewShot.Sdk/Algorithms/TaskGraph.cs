using FewShot.Exporters.Onnx;

namespace FewShot.Sdk.Algorithms;

/// <summary>What a compiled graph is for.</summary>
public enum TaskGraphRole
{
    /// <summary>Meta-parameters and one task (support and query) → loss, metric and meta-gradients.</summary>
    MetaStep,

    /// <summary>State and support → adapted state ("adapted.*" or "prototypes").</summary>
    Adapt,

    /// <summary>State and inputs → output (and score).</summary>
    Predict,
}

/// <summary>A compiled ONNX model with the names of its inputs and outputs, in the order callers feed and read them.</summary>
/// <param name="Role">What the graph computes.</param>
/// <param name="Model">The ONNX model (opset 17).</param>
/// <param name="Inputs">Graph input names.</param>
/// <param name="Outputs">Graph output names.</param>
public sealed record TaskGraph(TaskGraphRole Role, ModelProto Model, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
