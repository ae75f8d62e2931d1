using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// The backward rule of one operator: given the gradient <paramref name="dy"/> of the node's first output, appends
/// the nodes that compute the gradients of its inputs and returns one value name per input, or null where an input
/// gets no gradient (integer inputs, or a gradient that is zero almost everywhere).
/// </summary>
/// <remarks>
/// Rules emit standard default-domain ONNX operators that themselves have rules, so gradient graphs can be
/// differentiated again. A rule registered as broadcasting returns gradients in the shape of the output; the engine
/// sums them over the broadcast axes.
/// </remarks>
public delegate string?[] GradientRule(GradientContext context, NodeProto node, string dy);
