using FewShot.Sdk.Data;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Data;

/// <summary>
/// The small Omniglot subset that the learning tests meta-train on: the first 100 training characters (no rotations) and
/// the first 60 test characters. Built once per test run (Omniglot caches its decoded images per process).
/// </summary>
internal static class OmniglotSubset
{
    private static readonly Lazy<(IFewShotDataset Train, IFewShotDataset Test)> Subset = new(() =>
    {
        var splits = FewShot.Sdk.Data.Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        return (new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 100).ToArray()), new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 60).ToArray()));
    });

    /// <summary>The 100 training characters.</summary>
    public static IFewShotDataset Train => Subset.Value.Train;

    /// <summary>The 60 test characters.</summary>
    public static IFewShotDataset Test => Subset.Value.Test;

    /// <summary>Both halves, for deconstruction.</summary>
    public static (IFewShotDataset Train, IFewShotDataset Test) Both => Subset.Value;

    /// <summary>Seeded N-way K-shot episodes over <paramref name="data"/>.</summary>
    public static EpisodeTaskSource Episodes(IFewShotDataset data, int ways, int shots, int queries) => new(new EpisodeSampler(data, ways, shots, queries));
}
