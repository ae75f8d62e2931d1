namespace FewShot.Sdk.Data;

/// <summary>
/// The class splits of a few-shot benchmark: meta-training, optional validation, and test classes, which never
/// share a source class. Immutable.
/// </summary>
public sealed class DatasetSplits
{
    /// <summary>Groups the three splits.</summary>
    public DatasetSplits(IFewShotDataset train, IFewShotDataset? validation, IFewShotDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The classes that meta-training samples episodes from (with any augmentation classes).</summary>
    public IFewShotDataset Train { get; }

    /// <summary>The classes for model selection during meta-training; <see langword="null"/> when the split defines none.</summary>
    public IFewShotDataset? Validation { get; }

    /// <summary>The held-out classes that accuracy is reported on.</summary>
    public IFewShotDataset Test { get; }
}
