namespace FewShot.Sdk.Data;

/// <summary>
/// Draws N-way K-shot episodes with Q queries per class from a dataset (usually one split of a benchmark).
/// </summary>
/// <remarks>
/// <para>
/// Reproducible: every random choice comes from the <see cref="Random"/> passed to <see cref="Sample(Random)"/>, in a
/// fixed order (the N classes first, then, label by label, the K + Q examples). The same dataset, the same
/// N, K, Q and a <see cref="Random"/> created with the same seed therefore give the same sequence of episodes.
/// Pass the run's one seeded root <see cref="Random"/>; the sampler keeps no randomness of its own.
/// </para>
/// <para>
/// Classes are drawn uniformly without replacement; within a class, K + Q distinct examples are drawn uniformly,
/// the first K for support and the rest for query, so support and query never share an example.
/// The sampler is immutable and may be shared across threads, each with its own <see cref="Random"/>.
/// </para>
/// </remarks>
public sealed class EpisodeSampler : IEpisodeSampler
{
    private readonly int exampleLength;

    /// <summary>Prepares episodes of <paramref name="ways"/> classes, <paramref name="shots"/> support and <paramref name="queries"/> query examples per class.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Ways or shots is not positive, or queries is negative.</exception>
    /// <exception cref="ArgumentException">The dataset has fewer than N classes, or a class has fewer than K + Q examples.</exception>
    public EpisodeSampler(IFewShotDataset dataset, int ways, int shots, int queries)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ways);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegative(queries);
        if (dataset.ClassCount < ways)
        {
            throw new ArgumentException($"the dataset has {dataset.ClassCount} classes, but a {ways}-way episode needs at least {ways}", nameof(dataset));
        }

        for (int c = 0; c < dataset.ClassCount; c++)
        {
            int count = dataset.GetExampleCount(c);
            if (count < shots + queries)
            {
                throw new ArgumentException(
                    $"class '{dataset.GetClassName(c)}' (index {c}) has {count} examples, but {shots}-shot episodes with {queries} queries need {shots + queries} per class",
                    nameof(dataset));
            }
        }

        Dataset = dataset;
        Ways = ways;
        Shots = shots;
        Queries = queries;
        exampleLength = DatasetChecks.ElementCount(dataset.ExampleShape);
    }

    /// <summary>The dataset episodes are drawn from.</summary>
    public IFewShotDataset Dataset { get; }

    /// <summary>N: classes per episode.</summary>
    public int Ways { get; }

    /// <summary>K: support examples per class.</summary>
    public int Shots { get; }

    /// <summary>Q: query examples per class.</summary>
    public int Queries { get; }

    /// <summary>Draws one episode, advancing <paramref name="random"/>. The episode is a fresh object owned by the caller.</summary>
    public Episode Sample(Random random) => Sample(random, pool: null);

    /// <summary>Draws one episode whose classes come from <paramref name="pool"/> (dataset class indices, at least N; null: all classes).</summary>
    internal Episode Sample(Random random, IReadOnlyList<int>? pool)
    {
        ArgumentNullException.ThrowIfNull(random);
        int[] classIds = DrawDistinct(random, pool?.Count ?? Dataset.ClassCount, Ways);
        if (pool is not null)
        {
            for (int i = 0; i < classIds.Length; i++)
            {
                classIds[i] = pool[classIds[i]];
            }
        }

        var supportX = new float[Ways * Shots * exampleLength];
        var queryX = new float[Ways * Queries * exampleLength];
        var supportY = new long[Ways * Shots];
        var queryY = new long[Ways * Queries];
        var supportIndices = new int[Ways * Shots];
        var queryIndices = new int[Ways * Queries];
        var names = new string[Ways];
        for (int label = 0; label < Ways; label++)
        {
            int classId = classIds[label];
            names[label] = Dataset.GetClassName(classId);
            int[] examples = DrawDistinct(random, Dataset.GetExampleCount(classId), Shots + Queries);
            for (int k = 0; k < Shots; k++)
            {
                int row = (label * Shots) + k;
                Dataset.CopyExample(classId, examples[k], supportX.AsSpan(row * exampleLength, exampleLength));
                supportY[row] = label;
                supportIndices[row] = examples[k];
            }

            for (int q = 0; q < Queries; q++)
            {
                int row = (label * Queries) + q;
                Dataset.CopyExample(classId, examples[Shots + q], queryX.AsSpan(row * exampleLength, exampleLength));
                queryY[row] = label;
                queryIndices[row] = examples[Shots + q];
            }
        }

        return new Episode(
            Ways, Shots, Queries, Dataset.ExampleShape.ToArray(),
            supportX, supportY, queryX, queryY, classIds, names, supportIndices, queryIndices);
    }

    /// <summary>Draws <paramref name="count"/> episodes one after another from <paramref name="random"/>.</summary>
    public EpisodeBatch SampleBatch(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var episodes = new Episode[count];
        for (int b = 0; b < count; b++)
        {
            episodes[b] = Sample(random);
        }

        return new EpisodeBatch(episodes);
    }

    /// <summary>
    /// <paramref name="count"/> distinct values of [0, <paramref name="range"/>) in random order: the first
    /// steps of a Fisher–Yates shuffle, so each ordered selection is equally likely.
    /// </summary>
    private static int[] DrawDistinct(Random random, int range, int count)
    {
        int[] pool = new int[range];
        for (int i = 0; i < range; i++)
        {
            pool[i] = i;
        }

        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, range);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..count];
    }
}
