using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of BatchNormalization with given statistics (inference mode) and of the composition with batch statistics, <see cref="Normalization.BatchNormTraining"/>.</summary>
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

        r.RegisterComposite(Normalization.BatchNormTrainingMarker, BatchNormTraining);
        r.RegisterComposite(Normalization.GroupNormMarker, GroupNorm);
    }

    /// <summary>
    /// <see cref="Normalization.BatchNormTraining"/> as a whole. With c = x − mean, σ² = var + ε, k = scale / σ and the
    /// sums Σ over the N elements of each channel: dx = k·dy − c·k·Σ(dy·c)/(N·σ²) − k·Σdy/N, dscale = Σ(dy·c)/σ and
    /// dbias = Σdy. Differentiating the primitives one by one would expand the mean's and the variance's gradients to
    /// full size and add them up, several more passes over the activations.
    /// </summary>
    private static IReadOnlyList<(string, string)>? BatchNormTraining(GradientContext c, NodeProto n, string dy)
    {
        // y = Add(Mul(centered, factor), Unsqueeze(bias)), factor = Div(Unsqueeze(scale), Sqrt(Add(variance, ε))),
        // variance = ReduceMean(Mul(centered, centered)), centered = Sub(x, ReduceMean(x)), both means over the same axes.
        if (Inner(c, n.Input[0], "Mul") is not { } product || Inner(c, n.Input[1], "Unsqueeze") is not { } biasAxes
            || Inner(c, product.Input[0], "Sub") is not { } centering || Inner(c, product.Input[1], "Div") is not { } division
            || Inner(c, division.Input[0], "Unsqueeze") is not { } scaleAxes || Inner(c, division.Input[1], "Sqrt") is not { } root
            || Inner(c, root.Input[0], "Add") is not { } shifting || c.IsDifferentiated(shifting.Input[1])
            || Inner(c, shifting.Input[0], "ReduceMean") is not { } variance || Inner(c, variance.Input[0], "Mul") is not { } square
            || Inner(c, centering.Input[1], "ReduceMean") is not { } mean)
        {
            return null;
        }

        var (x, centered, factor, shifted) = (centering.Input[0], centering.Output[0], division.Output[0], shifting.Output[0]);
        var axes = mean.Ints("axes");
        if (square.Input[0] != centered || square.Input[1] != centered || mean.Input[0] != x || axes is null
            || variance.Ints("axes") is not { } varianceAxes || !axes.SequenceEqual(varianceAxes)
            || mean.Int("keepdims", 1) != 1 || variance.Int("keepdims", 1) != 1)
        {
            return null;
        }

        var reduce = c.Int64s(axes);
        var count = c.ElementRatio(x, mean.Output[0]);
        var sum = c.Op("ReduceSum", [dy, reduce]);
        var dot = c.Op("ReduceSum", [c.Op("Mul", [dy, centered]), reduce]);
        var slope = c.Op("Div", [c.Op("Mul", [factor, dot]), c.Op("Mul", [shifted, count])]);
        var offset = c.Op("Div", [c.Op("Mul", [factor, sum]), count]);
        var dx = c.Op("Sub", [c.Op("Mul", [dy, factor]), c.Op("Add", [c.Op("Mul", [centered, slope]), offset])]);
        var (scale, bias) = (scaleAxes.Input[0], biasAxes.Input[0]);
        return
        [
            (x, dx),
            (scale, c.Op("Reshape", [c.Op("Div", [dot, root.Output[0]]), c.ShapeOf(scale)])),
            (bias, c.Op("Reshape", [sum, c.ShapeOf(bias)])),
        ];
    }

    /// <summary>
    /// <see cref="Normalization.GroupNorm"/> as a whole. With x̂ the normalized activations, σ² = var + ε of each
    /// example's group, M its element count and the sums Σ over a group: dx = dy·scale/σ − x̂·Σ(dy·scale·x̂)/(M·σ)
    /// − Σ(dy·scale)/(M·σ), dscale = Σ over examples and positions of dy·x̂, dbias = Σ dy. The group sums are taken from
    /// per-(example, channel) sums, so only dy·x̂ and dx's three terms pass over the activations.
    /// </summary>
    private static IReadOnlyList<(string, string)>? GroupNorm(GradientContext c, NodeProto n, string dy)
    {
        // y = Add(Mul(normalized, Unsqueeze(scale)), Unsqueeze(bias)), normalized = Reshape(Div(centered, deviation), Shape(x)),
        // deviation = Sqrt(Add(ReduceMean(Mul(centered, centered)), ε)), centered = Sub(grouped, ReduceMean(grouped)),
        // grouped = Reshape(x, [0, G, −1]), both means over axis 2.
        if (Inner(c, n.Input[0], "Mul") is not { } product || Inner(c, n.Input[1], "Unsqueeze") is not { } biasAxes
            || Inner(c, product.Input[0], "Reshape") is not { } restoring || Inner(c, product.Input[1], "Unsqueeze") is not { } scaleAxes
            || Inner(c, restoring.Input[0], "Div") is not { } division || Inner(c, restoring.Input[1], "Shape") is not { } shapeOf
            || Inner(c, division.Input[0], "Sub") is not { } centering || Inner(c, division.Input[1], "Sqrt") is not { } root
            || Inner(c, root.Input[0], "Add") is not { } shifting || c.IsDifferentiated(shifting.Input[1])
            || Inner(c, shifting.Input[0], "ReduceMean") is not { } variance || Inner(c, variance.Input[0], "Mul") is not { } square
            || Inner(c, centering.Input[1], "ReduceMean") is not { } mean || Inner(c, centering.Input[0], "Reshape") is not { } grouping)
        {
            return null;
        }

        var (x, grouped, centered, deviation) = (grouping.Input[0], grouping.Output[0], centering.Output[0], root.Output[0]);
        if (shapeOf.Input[0] != x || square.Input[0] != centered || square.Input[1] != centered || mean.Input[0] != grouped
            || c.ConstantInts(grouping.Input[1]) is not [0, > 0 and var groups, -1] || mean.Ints("axes") is not [2] || variance.Ints("axes") is not [2]
            || mean.Int("keepdims", 1) != 1 || variance.Int("keepdims", 1) != 1)
        {
            return null;
        }

        var (normalized, scaled) = (restoring.Output[0], scaleAxes.Output[0]);
        var (scale, bias) = (scaleAxes.Input[0], biasAxes.Input[0]);
        var spatial = c.Int64s(Enumerable.Range(2, c.Rank(x) - 2).Select(i => (long)i).ToArray());

        // Per (example, channel): Σ dy·x̂ and Σ dy over positions; per (example, group): the same weighted by scale.
        var moment = c.Op("ReduceSum", [c.Op("Mul", [dy, normalized]), spatial]);
        var sum = c.Op("ReduceSum", [dy, spatial]);
        var byGroup = c.Int64s(0, groups, -1);
        string GroupSum(string perChannel) => c.Op("ReduceSum", [c.Op("Reshape", [c.Op("Mul", [perChannel, scaled]), byGroup]), c.Int64s(2)]);
        var spread = c.Op("Mul", [deviation, c.ElementRatio(grouped, mean.Output[0])]);
        string PerChannel(string perGroup) =>
            c.Op("Reshape", [c.Op("Expand", [perGroup, c.ShapeOf(c.Op("Reshape", [moment, byGroup]))]), c.ShapeOf(moment)]);
        var slope = PerChannel(c.Op("Div", [GroupSum(moment), spread]));
        var offset = PerChannel(c.Op("Div", [GroupSum(sum), spread]));
        var gain = c.Op("Mul", [PerChannel(c.Op("Reciprocal", [deviation])), scaled]);
        var dx = c.Op("Sub", [c.Op("Mul", [dy, gain]), c.Op("Add", [c.Op("Mul", [normalized, slope]), offset])]);
        var overExamples = c.Int64s(0);
        return
        [
            (x, dx),
            (scale, c.Op("Reshape", [c.Op("ReduceSum", [moment, overExamples]), c.ShapeOf(scale)])),
            (bias, c.Op("Reshape", [c.Op("ReduceSum", [sum, overExamples]), c.ShapeOf(bias)])),
        ];
    }

    /// <summary>The node computing <paramref name="value"/> when it is an inner value of a composition and of the given op, else null.</summary>
    private static NodeProto? Inner(GradientContext c, string value, string opType) =>
        c.IsInner(value) && c.Producer(value) is { } node && node.OpType == opType && node.Domain.Length == 0 ? node : null;
}
