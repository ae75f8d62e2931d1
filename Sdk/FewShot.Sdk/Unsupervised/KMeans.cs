using TorchSharp;

namespace FewShot.Sdk.Unsupervised;

/// <summary>
/// Lloyd's k-means on TorchSharp (distances as one matrix product per iteration), started from k distinct points
/// drawn from the <see cref="Random"/> passed in; a cluster left empty restarts at a random point. Deterministic for a
/// given input and random stream.
/// </summary>
public static class KMeans
{
    /// <summary>Clusters <paramref name="points"/> (row-major [n, <paramref name="dimensions"/>]) into <paramref name="k"/> groups.</summary>
    /// <returns>Each point's cluster, 0 to k − 1.</returns>
    /// <exception cref="ArgumentException">There are fewer than k points, or the array is not whole rows.</exception>
    public static int[] Cluster(float[] points, int dimensions, int k, int iterations, Random random)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        if (points.Length % dimensions != 0)
        {
            throw new ArgumentException($"{points.Length} values are not whole {dimensions}-dimensional points", nameof(points));
        }

        var n = points.Length / dimensions;
        if (n < k)
        {
            throw new ArgumentException($"k-means with {k} clusters needs at least {k} points, got {n}", nameof(points));
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(points, [n, dimensions]);
        var squared = x.square().sum(1, keepdim: true);
        var start = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(k).Select(i => (long)i).ToArray();
        var centers = x.index_select(0, torch.tensor(start));
        var assignment = new long[n];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            // ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
            var distances = squared - (2 * x.matmul(centers.t())) + centers.square().sum(1).unsqueeze(0);
            var nearest = distances.argmin(1);
            var next = nearest.data<long>().ToArray();
            if (iteration > 0 && next.AsSpan().SequenceEqual(assignment))
            {
                break;
            }

            assignment = next;
            var sums = torch.zeros(k, dimensions).index_add(0, nearest, x, 1);
            var counts = torch.zeros(k).index_add(0, nearest, torch.ones(n), 1).data<float>().ToArray();
            var updated = sums.data<float>().ToArray();
            for (var c = 0; c < k; c++)
            {
                var center = updated.AsSpan(c * dimensions, dimensions);
                if (counts[c] == 0)
                {
                    // An empty cluster restarts at a random point rather than vanish.
                    points.AsSpan(random.Next(n) * dimensions, dimensions).CopyTo(center);
                    continue;
                }

                for (var d = 0; d < dimensions; d++)
                {
                    center[d] /= counts[c];
                }
            }

            centers = torch.tensor(updated, [k, dimensions]);
        }

        return assignment.Select(a => (int)a).ToArray();
    }
}
