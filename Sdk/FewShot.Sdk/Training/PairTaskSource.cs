using FewShot.Sdk.Data;

namespace FewShot.Sdk.Training;

/// <summary>
/// The pair sampler of Siamese verification training (Koch et al., 2015): each task is <see cref="Pairs"/> pairs of
/// examples, half of them two different drawings of one class ("same"), half drawings of two different classes
/// ("different"), in random order. Pair i is row i of <see cref="TaskData.SupportX"/> (left) and of
/// <see cref="TaskData.QueryX"/> (right); its two labels are equal exactly when the pair is "same" (labels are
/// task-local and say nothing else). Every random choice comes from the <see cref="Random"/> passed in.
/// </summary>
public sealed class PairTaskSource : ITaskSource
{
    private readonly IFewShotDataset _dataset;
    private readonly int _exampleLength;

    /// <summary>Prepares tasks of <paramref name="pairs"/> pairs from <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> is below 2.</exception>
    /// <exception cref="ArgumentException">The dataset has fewer than 2 classes, or a class has fewer than 2 examples.</exception>
    public PairTaskSource(IFewShotDataset dataset, int pairs)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, 2);
        if (dataset.ClassCount < 2)
        {
            throw new ArgumentException($"different pairs need at least 2 classes; the dataset has {dataset.ClassCount}", nameof(dataset));
        }

        for (var c = 0; c < dataset.ClassCount; c++)
        {
            if (dataset.GetExampleCount(c) < 2)
            {
                throw new ArgumentException($"class '{dataset.GetClassName(c)}' (index {c}) has {dataset.GetExampleCount(c)} example; same pairs need 2 distinct ones per class", nameof(dataset));
            }
        }

        _dataset = dataset;
        _exampleLength = dataset.ExampleShape.Aggregate(1, (a, b) => checked(a * b));
        Pairs = pairs;
    }

    /// <summary>Pairs per task; ⌊pairs/2⌋ "same" and the rest "different".</summary>
    public int Pairs { get; }

    /// <inheritdoc />
    public TaskData Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var left = new float[Pairs * _exampleLength];
        var right = new float[Pairs * _exampleLength];
        var leftLabels = new long[Pairs];
        var rightLabels = new long[Pairs];
        var order = Enumerable.Range(0, Pairs).ToArray();
        random.Shuffle(order);
        for (var i = 0; i < Pairs; i++)
        {
            var row = order[i];
            var same = i < Pairs / 2;
            var leftClass = random.Next(_dataset.ClassCount);
            var rightClass = same ? leftClass : (leftClass + 1 + random.Next(_dataset.ClassCount - 1)) % _dataset.ClassCount;
            var leftExample = random.Next(_dataset.GetExampleCount(leftClass));
            var rightExample = same
                ? (leftExample + 1 + random.Next(_dataset.GetExampleCount(leftClass) - 1)) % _dataset.GetExampleCount(leftClass)
                : random.Next(_dataset.GetExampleCount(rightClass));
            _dataset.CopyExample(leftClass, leftExample, left.AsSpan(row * _exampleLength, _exampleLength));
            _dataset.CopyExample(rightClass, rightExample, right.AsSpan(row * _exampleLength, _exampleLength));
            leftLabels[row] = 2L * row;
            rightLabels[row] = same ? 2L * row : (2L * row) + 1;
        }

        long[] shape = [Pairs, .. _dataset.ExampleShape.Select(d => (long)d)];
        return new TaskData(left, shape, right, shape.ToArray(), leftLabels, rightLabels);
    }
}
