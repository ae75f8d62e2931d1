using FewShot.Sdk.Data;

namespace FewShot.Sdk.Training;

/// <summary>
/// Ordinary supervised batches for pre-training (the fine-tuning baseline): random examples of all classes with
/// their global class indices, delivered as a task's query set (the support set is empty).
/// </summary>
public sealed class ClassBatchTaskSource : ITaskSource
{
    private readonly IFewShotDataset _dataset;
    private readonly int _exampleLength;

    /// <summary>Creates the source.</summary>
    public ClassBatchTaskSource(IFewShotDataset dataset, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _dataset = dataset;
        BatchSize = batchSize;
        _exampleLength = dataset.ExampleShape.Aggregate(1, (a, b) => a * b);
    }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <inheritdoc />
    public TaskData Sample(Random random)
    {
        var x = new float[BatchSize * _exampleLength];
        var y = new long[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var c = random.Next(_dataset.ClassCount);
            _dataset.CopyExample(c, random.Next(_dataset.GetExampleCount(c)), x.AsSpan(i * _exampleLength, _exampleLength));
            y[i] = c;
        }

        long[] shape = [BatchSize, .. _dataset.ExampleShape.Select(d => (long)d)];
        return new TaskData([], [0, .. shape[1..]], x, shape, supportLabels: [], queryLabels: y);
    }
}
