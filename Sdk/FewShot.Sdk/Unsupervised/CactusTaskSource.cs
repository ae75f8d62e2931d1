using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Unsupervised;

/// <summary>
/// CACTUs (Hsu, Levine and Finn 2019, "Unsupervised Learning via Meta-Learning"): N-way K-shot tasks made from
/// unlabelled images. An autoencoder is trained on the images (labels never read), every image is embedded by its
/// encoder, and the embedding space is partitioned by k-means several times, each time with the dimensions scaled by
/// random factors in [0, 1) (the first partition unscaled); a task picks one partition and draws N of its clusters
/// (those with at least K + Q members) as its classes. Built once, on the first draw (autoencoder training and k-means
/// take a while), reproducibly from <see cref="CactusOptions.Seed"/>; thread-safe afterwards.
/// </summary>
public sealed class CactusTaskSource : ITaskSource
{
    private readonly Lazy<EpisodeTaskSource[]> _partitions;

    /// <summary>Prepares tasks of <paramref name="ways"/> clusters with <paramref name="shots"/> support and <paramref name="queries"/> query images each.</summary>
    /// <param name="images">The unlabelled images: every example of every class of this dataset (its labels are not used).</param>
    /// <param name="ways">Clusters per task.</param>
    /// <param name="shots">Support images per cluster.</param>
    /// <param name="queries">Query images per cluster.</param>
    /// <param name="options">Partitions, clusters, autoencoder training.</param>
    public CactusTaskSource(IFewShotDataset images, int ways, int shots, int queries, CactusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        Options = options ?? new CactusOptions();
        Options.Validate();
        _partitions = new Lazy<EpisodeTaskSource[]>(() => Build(images, ways, shots, queries, Options));
    }

    /// <summary>The settings.</summary>
    public CactusOptions Options { get; }

    /// <summary>The partitions' datasets of clusters (building them on first use).</summary>
    public IReadOnlyList<IFewShotDataset> Partitions => _partitions.Value.Select(p => ((EpisodeSampler)p.Sampler).Dataset).ToArray();

    /// <summary>Trains the autoencoder and clusters now, rather than on the first draw (so that a training clock starts after it).</summary>
    public void Prepare() => _ = _partitions.Value;

    /// <inheritdoc />
    public TaskData Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var partitions = _partitions.Value;
        return partitions[random.Next(partitions.Length)].Sample(random);
    }

    private static EpisodeTaskSource[] Build(IFewShotDataset dataset, int ways, int shots, int queries, CactusOptions options)
    {
        var shape = dataset.ExampleShape.Select(d => (long)d).ToArray();
        var autoencoder = new ConvAutoencoder(shape, options.LatentSize);
        var images = AutoencoderPretraining.AllImages(dataset);
        var parameters = AutoencoderPretraining.Train(autoencoder, images, options.AutoencoderIterations, options.BatchSize, options.LearningRate, options.Seed);
        var codes = AutoencoderPretraining.Embed(autoencoder, parameters, images);
        var dimensions = options.LatentSize;
        var partitions = new EpisodeTaskSource[options.Partitions];
        for (var p = 0; p < partitions.Length; p++)
        {
            var scaled = codes;
            if (p > 0)
            {
                var scaling = SeedSequence.For(options.Seed, SeedSequence.Purpose.Initialization, 100 + p);
                var factors = Enumerable.Range(0, dimensions).Select(_ => (float)scaling.NextDouble()).ToArray();
                scaled = codes.Select((v, i) => v * factors[i % dimensions]).ToArray();
            }

            var assignment = KMeans.Cluster(scaled, dimensions, options.Clusters, options.KMeansIterations, SeedSequence.For(options.Seed, SeedSequence.Purpose.Initialization, 200 + p));
            var clusters = new ClusterDataset(images, dataset.ExampleShape, assignment, shots + queries);
            if (clusters.ClassCount < ways)
            {
                throw new InvalidOperationException(
                    $"partition {p} has only {clusters.ClassCount} clusters of at least {shots + queries} images, and {ways}-way tasks need {ways}: use fewer clusters (now {options.Clusters}) or fewer shots and queries");
            }

            partitions[p] = new EpisodeTaskSource(new EpisodeSampler(clusters, ways, shots, queries));
        }

        return partitions;
    }
}
