namespace FewShot.Exporters.Tests.Ops;

/// <summary>Straightforward loops that define what each ONNX operator should compute (float64 accumulation).</summary>
internal static class Reference
{
    public static Nd Broadcast(Nd a, Nd b, Func<float, float, float> op)
    {
        var rank = Math.Max(a.Shape.Length, b.Shape.Length);
        var sa = Pad(a.Shape, rank);
        var sb = Pad(b.Shape, rank);
        var shape = sa.Zip(sb, Math.Max).ToArray();
        var result = new Nd(shape);
        Nd.ForEachIndex(shape, index =>
        {
            var ia = index.Select((v, d) => sa[d] == 1 ? 0 : v).Skip(rank - a.Shape.Length).ToArray();
            var ib = index.Select((v, d) => sb[d] == 1 ? 0 : v).Skip(rank - b.Shape.Length).ToArray();
            result.Data[result.Offset(index)] = op(a.Data[a.Offset(ia)], b.Data[b.Offset(ib)]);
        });
        return result;
    }

    public static Nd Map(Nd x, Func<float, float> op) => new(x.Shape, x.Data.Select(op).ToArray());

    public static Nd MatMul2D(Nd a, Nd b, bool transA = false, bool transB = false, float alpha = 1)
    {
        var (m, k) = transA ? (a.Shape[1], a.Shape[0]) : (a.Shape[0], a.Shape[1]);
        var n = transB ? b.Shape[0] : b.Shape[1];
        var result = new Nd([m, n]);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    sum += (transA ? a[p, i] : a[i, p]) * (double)(transB ? b[j, p] : b[p, j]);
                }

                result[i, j] = (float)(alpha * sum);
            }
        }

        return result;
    }

    public static Nd BatchedMatMul(Nd a, Nd b)
    {
        var batch = a.Shape[0];
        var (m, k, n) = (a.Shape[1], a.Shape[2], b.Shape[^1]);
        var result = new Nd([batch, m, n]);
        for (var t = 0; t < batch; t++)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (var p = 0; p < k; p++)
                    {
                        sum += a[t, i, p] * (double)(b.Shape.Length == 2 ? b[p, j] : b[t, p, j]);
                    }

                    result[t, i, j] = (float)sum;
                }
            }
        }

        return result;
    }

    public static Nd Conv2D(Nd x, Nd w, Nd? bias, int stride, int pad, int dilation, int groups)
    {
        var (n, h, wd) = (x.Shape[0], x.Shape[2], x.Shape[3]);
        var (m, cg, kh, kw) = (w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]);
        var oh = ((h + (2 * pad) - (dilation * (kh - 1)) - 1) / stride) + 1;
        var ow = ((wd + (2 * pad) - (dilation * (kw - 1)) - 1) / stride) + 1;
        var result = new Nd([n, m, oh, ow]);
        var perGroup = m / groups;
        Nd.ForEachIndex(result.Shape, o =>
        {
            var (b, oc, i, j) = (o[0], o[1], o[2], o[3]);
            var group = oc / perGroup;
            double sum = bias?.Data[oc] ?? 0;
            for (var ic = 0; ic < cg; ic++)
            {
                for (var u = 0; u < kh; u++)
                {
                    for (var v = 0; v < kw; v++)
                    {
                        var (y, xx) = ((i * stride) - pad + (u * dilation), (j * stride) - pad + (v * dilation));
                        if (y >= 0 && y < h && xx >= 0 && xx < wd)
                        {
                            sum += x[b, (group * cg) + ic, y, xx] * (double)w[oc, ic, u, v];
                        }
                    }
                }
            }

            result.Data[result.Offset(o)] = (float)sum;
        });
        return result;
    }

    public static Nd MaxPool2D(Nd x, int kernel, int stride, int pad)
    {
        var (n, c, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var oh = ((h + (2 * pad) - kernel) / stride) + 1;
        var ow = ((w + (2 * pad) - kernel) / stride) + 1;
        var result = new Nd([n, c, oh, ow]);
        Nd.ForEachIndex(result.Shape, o =>
        {
            var best = float.NegativeInfinity;
            for (var u = 0; u < kernel; u++)
            {
                for (var v = 0; v < kernel; v++)
                {
                    var (y, xx) = ((o[2] * stride) - pad + u, (o[3] * stride) - pad + v);
                    if (y >= 0 && y < h && xx >= 0 && xx < w)
                    {
                        best = Math.Max(best, x[o[0], o[1], y, xx]);
                    }
                }
            }

            result.Data[result.Offset(o)] = best;
        });
        return result;
    }

    public static Nd BatchNormInference(Nd x, Nd scale, Nd shift, Nd mean, Nd variance, float epsilon)
    {
        var result = new Nd(x.Shape);
        Nd.ForEachIndex(x.Shape, i =>
        {
            var ch = i[1];
            var normalized = (x.Data[x.Offset(i)] - mean.Data[ch]) / Math.Sqrt(variance.Data[ch] + epsilon);
            result.Data[result.Offset(i)] = (float)((normalized * scale.Data[ch]) + shift.Data[ch]);
        });
        return result;
    }

    /// <summary>Softmax (or log-softmax) along the last axis of a 2-D array.</summary>
    public static Nd Softmax(Nd x, bool log)
    {
        var (rows, cols) = (x.Shape[0], x.Shape[1]);
        var result = new Nd(x.Shape);
        for (var r = 0; r < rows; r++)
        {
            var max = Enumerable.Range(0, cols).Max(c => x[r, c]);
            var sum = Enumerable.Range(0, cols).Sum(c => Math.Exp(x[r, c] - max));
            for (var c = 0; c < cols; c++)
            {
                result[r, c] = (float)(log ? x[r, c] - max - Math.Log(sum) : Math.Exp(x[r, c] - max) / sum);
            }
        }

        return result;
    }

    /// <summary>Mean over the given axes, keeping them as size 1.</summary>
    public static Nd ReduceMean(Nd x, params int[] axes)
    {
        var shape = x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var sums = new double[shape.Aggregate(1, (a, b) => a * b)];
        var target = new Nd(shape);
        Nd.ForEachIndex(x.Shape, i =>
        {
            var reduced = i.Select((v, d) => axes.Contains(d) ? 0 : v).ToArray();
            sums[target.Offset(reduced)] += x.Data[x.Offset(i)];
        });
        var count = axes.Aggregate(1, (a, d) => a * x.Shape[d]);
        return new Nd(shape, sums.Select(s => (float)(s / count)).ToArray());
    }

    public static Nd Transpose(Nd x, params int[] perm)
    {
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        var result = new Nd(shape);
        Nd.ForEachIndex(x.Shape, i => result.Data[result.Offset(perm.Select(p => i[p]).ToArray())] = x.Data[x.Offset(i)]);
        return result;
    }

    private static int[] Pad(int[] shape, int rank) => Enumerable.Repeat(1, rank - shape.Length).Concat(shape).ToArray();
}
