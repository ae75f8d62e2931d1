using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// The backward rule of a composition of primitives (batch normalization, say) whose output node carries the rule's
/// doc-string marker: given the gradient <paramref name="dy"/> of that node's output, it appends the nodes computing the
/// total derivative with respect to the composition's own inputs (through every path inside it) and returns them as
/// (value, gradient) pairs, each gradient in its value's shape. It returns null when the nodes around
/// <paramref name="output"/> are not the composition it knows; the engine then differentiates the primitives one by one.
/// </summary>
/// <remarks>
/// Why it is exact: the engine sums each value's gradient over its consumers. A composite rule contributes the output's
/// share straight to the composition's inputs and nothing to its inner values, so an inner value that something else
/// also consumes (a gradient graph being differentiated again) still gets that consumer's share, which its primitive
/// nodes pass on. The rule only has to be the true derivative of the output; like <see cref="GradientRule"/>, it emits
/// standard ONNX operators that themselves have rules.
/// </remarks>
public delegate IReadOnlyList<(string Value, string Gradient)>? CompositeRule(GradientContext context, NodeProto output, string dy);
