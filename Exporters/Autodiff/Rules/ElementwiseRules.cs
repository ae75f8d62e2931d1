using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of elementwise operators. Broadcasting ones return output-shaped gradients that the engine reduces.</summary>
internal static class ElementwiseRules
{
    public static void Register(GradientRegistry r)
    {
        r.Register("Identity", (c, n, dy) => [dy]);
        r.Register("Add", (c, n, dy) => [dy, dy], broadcasting: true);
        r.Register("Sub", (c, n, dy) => [dy, c.Op("Neg", [dy])], broadcasting: true);
        r.Register("Mul", (c, n, dy) => [c.Op("Mul", [dy, n.Input[1]]), c.Op("Mul", [dy, n.Input[0]])], broadcasting: true);
        r.Register("Sum", (c, n, dy) => n.Input.Select(_ => dy).ToArray(), broadcasting: true);
        r.Register("Neg", (c, n, dy) => [c.Op("Neg", [dy])]);

        // d(a/b)/db = -(dy/b)·(a/b): reuses the output instead of squaring b.
        r.Register("Div", (c, n, dy) =>
        {
            var da = c.Op("Div", [dy, n.Input[1]]);
            return [da, c.Op("Neg", [c.Op("Mul", [da, n.Output[0]])])];
        }, broadcasting: true);

        r.Register("Pow", (c, n, dy) =>
        {
            var (x, p) = (n.Input[0], n.Input[1]);
            var slope = c.ConstantScalar(p) switch
            {
                2 => c.Op("Mul", [x, c.Scalar(2, x)]),
                { } e => c.Op("Mul", [c.Op("Pow", [x, c.Scalar(e - 1, p)]), c.Scalar(e, x)]),
                null => c.Op("Mul", [c.Op("Pow", [x, c.Op("Sub", [p, c.Scalar(1, p)])]), p]),
            };
            return [c.Op("Mul", [dy, slope]), c.Op("Mul", [dy, c.Op("Mul", [n.Output[0], c.Op("Log", [x])])])];
        }, broadcasting: true);

        r.Register("Sqrt", (c, n, dy) => [c.Op("Div", [c.Op("Mul", [dy, c.Scalar(0.5, dy)]), n.Output[0]])]);
        r.Register("Exp", (c, n, dy) => [c.Op("Mul", [dy, n.Output[0]])]);
        r.Register("Log", (c, n, dy) => [c.Op("Div", [dy, n.Input[0]])]);
        r.Register("Abs", (c, n, dy) => [c.Op("Mul", [dy, c.Op("Sign", [n.Input[0]])])]);
        r.Register("Reciprocal", (c, n, dy) => [c.Op("Neg", [c.Op("Mul", [dy, c.Op("Mul", [n.Output[0], n.Output[0]])])])]);

        // Gradients of activations use the output where it is cheaper; at 0, Relu and LeakyRelu take the left slope (as PyTorch).
        // A multiply by a 0/1 mask rather than Where, which ONNX Runtime's CPU provider runs several times slower than Mul.
        r.Register("Relu", (c, n, dy) => [c.Op("Mul", [dy, c.Op("Cast", [c.Op("Greater", [n.Output[0], c.Scalar(0, dy)])], Attr.Int("to", (long)c.Graph.ElementTypeOf(dy)))])]);
        r.Register("LeakyRelu", (c, n, dy) =>
        {
            var alpha = c.Scalar(n.Float("alpha", 0.01f), dy);
            return [c.Op("Where", [c.Op("Greater", [n.Input[0], c.Scalar(0, dy)]), dy, c.Op("Mul", [dy, alpha])])];
        });
        r.Register("Sigmoid", (c, n, dy) => [c.Op("Mul", [dy, c.Op("Mul", [n.Output[0], c.Op("Sub", [c.Scalar(1, dy), n.Output[0]])])])]);
        r.Register("Tanh", (c, n, dy) => [c.Op("Mul", [dy, c.Op("Sub", [c.Scalar(1, dy), c.Op("Mul", [n.Output[0], n.Output[0]])])])]);
        r.Register("Softplus", (c, n, dy) => [c.Op("Mul", [dy, c.Op("Sigmoid", [n.Input[0]])])]);

        r.Register("Where", (c, n, dy) =>
        {
            var zero = c.Scalar(0, dy);
            return [null, c.Op("Where", [n.Input[0], dy, zero]), c.Op("Where", [n.Input[0], zero, dy])];
        }, broadcasting: true);

        r.Register("Cast", (c, n, dy) => [c.Op("Cast", [dy], Attr.Int("to", (long)c.Graph.ElementTypeOf(n.Input[0])))]);

        // Piecewise-constant functions: zero gradient almost everywhere.
        foreach (var op in new[] { "Sign", "Floor", "Ceil", "Round" })
        {
            r.Register(op, (c, n, dy) => [null]);
        }
    }
}
