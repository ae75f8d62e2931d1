using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rule of BatchNormalization with given statistics (inference mode); batch statistics are composed by <see cref="Normalization.BatchNormTraining"/>.</summary>
internal static class NormalizationRules
{
    public static void Register(GradientRegistry r)
    {
        // y = (x − mean)·k + b with k = scale / √(var + ε), per channel (axis 1).
        r.Register("BatchNormalization", (c, n, dy) =>
        {
            if (n.Int("training_mode", 0) != 0)
            {
                throw c.Unsupported("training_mode=1, which stock ONNX Runtime does not run; compose it with Normalization.BatchNormTraining");
            }

            var (x, scale, mean, variance) = (n.Input[0], n.Input[1], n.Input[3], n.Input[4]);
            var rank = c.Rank(x);
            var others = c.Int64s([0, .. Enumerable.Range(2, rank - 2).Select(i => (long)i)]);
            string PerChannel(string v) => c.Op("Unsqueeze", [v, c.Int64s(Enumerable.Range(1, rank - 2).Select(i => (long)i).ToArray())]);
            var inverse = c.Op("Reciprocal", [c.Op("Sqrt", [c.Op("Add", [variance, c.Scalar(n.Float("epsilon", 1e-5f), variance)])])]);
            var factor = c.Op("Mul", [scale, inverse]);
            var db = c.Op("ReduceSum", [dy, others], Attr.Int("keepdims", 0));
            var moment = c.Op("ReduceSum", [c.Op("Mul", [dy, c.Op("Sub", [x, PerChannel(mean)])]), others], Attr.Int("keepdims", 0));
            var dvar = c.Op("Mul", [moment, c.Op("Mul", [factor, c.Op("Mul", [c.Op("Mul", [inverse, inverse]), c.Scalar(-0.5, variance)])])]);
            return [c.Op("Mul", [dy, PerChannel(factor)]), c.Op("Mul", [moment, inverse]), db, c.Op("Neg", [c.Op("Mul", [db, factor])]), dvar];
        });
    }
}
