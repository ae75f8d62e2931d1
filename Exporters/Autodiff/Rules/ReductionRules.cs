using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of reductions (opset 17: ReduceSum takes axes as an input, ReduceMean/ReduceMax as an attribute) and of softmax.</summary>
internal static class ReductionRules
{
    public static void Register(GradientRegistry r)
    {
        r.Register("ReduceSum", (c, n, dy) => [c.Op("Expand", [Kept(c, n, dy, n.OptionalInput(1)), c.ShapeOf(n.Input[0])]), null]);

        r.Register("ReduceMean", (c, n, dy) =>
        {
            var x = n.Input[0];
            var kept = Kept(c, n, dy, AttributeAxes(c, n));
            return [c.Op("Expand", [c.Op("Div", [kept, c.ElementRatio(x, n.Output[0])]), c.ShapeOf(x)])];
        });

        // Ties share the gradient equally, as torch.amax does; with a unique maximum it is exact routing.
        r.Register("ReduceMax", (c, n, dy) =>
        {
            var (x, axes) = (n.Input[0], AttributeAxes(c, n));
            var hits = c.Op("Equal", [x, Kept(c, n, n.Output[0], axes)]);
            var mask = c.Op("Cast", [hits], Attr.Int("to", (long)c.Graph.ElementTypeOf(x)));
            var count = c.Op("ReduceSum", axes is null ? [mask] : [mask, axes]);
            return [c.Op("Mul", [mask, c.Op("Div", [Kept(c, n, dy, axes), count])])];
        });

        // dx = y ⊙ (dy − Σ dy ⊙ y) along the axis.
        r.Register("Softmax", (c, n, dy) =>
        {
            var y = n.Output[0];
            var dot = c.Op("ReduceSum", [c.Op("Mul", [dy, y]), c.Int64s(n.Int("axis", -1))]);
            return [c.Op("Mul", [y, c.Op("Sub", [dy, dot])])];
        });

        // dx = dy − softmax(x) ⊙ Σ dy along the axis, with softmax(x) = exp(y).
        r.Register("LogSoftmax", (c, n, dy) =>
        {
            var total = c.Op("ReduceSum", [dy, c.Int64s(n.Int("axis", -1))]);
            return [c.Op("Sub", [dy, c.Op("Mul", [c.Op("Exp", [n.Output[0]]), total])])];
        });
    }

    /// <summary>The axes attribute as an int64 constant; null when the node reduces every axis.</summary>
    private static string? AttributeAxes(GradientContext c, NodeProto n) => n.Ints("axes") is { } axes ? c.Int64s(axes) : null;

    /// <summary>A reduced value with the reduced axes kept (size 1), so that it broadcasts against the input.</summary>
    private static string Kept(GradientContext c, NodeProto n, string reduced, string? axes) =>
        n.Int("keepdims", 1) == 1 || axes is null ? reduced : c.Op("Unsqueeze", [reduced, axes]);
}
