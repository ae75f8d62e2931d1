namespace FewShot.Sdk.Unsupervised;

/// <summary>How <see cref="CactusTaskSource"/> makes tasks from unlabelled images; defaults in one place.</summary>
public sealed class CactusOptions
{
    /// <summary>Partitions of the embedding space (the paper: 50 to 100; fewer on a CPU). Default 5.</summary>
    public int Partitions { get; init; } = 5;

    /// <summary>k of each k-means partition (the paper: 500 for Omniglot). Default 500.</summary>
    public int Clusters { get; init; } = 500;

    /// <summary>Lloyd iterations per partition at most. Default 20.</summary>
    public int KMeansIterations { get; init; } = 20;

    /// <summary>Adam steps of autoencoder training. Default 1,000.</summary>
    public int AutoencoderIterations { get; init; } = 1000;

    /// <summary>Images per autoencoder step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's step size for the autoencoder. Default 0.003.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Latent code size of the autoencoder. Default 64.</summary>
    public int LatentSize { get; init; } = 64;

    /// <summary>Seeds the autoencoder, the scalings and the k-means starts.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Partitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(Clusters, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(KMeansIterations);
        ArgumentOutOfRangeException.ThrowIfNegative(AutoencoderIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LatentSize);
    }
}
