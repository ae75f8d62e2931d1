using FewShot.Tests.Shared;
using FewShot.Sdk.Data;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Episodes;

public sealed class EpisodeSamplerTests
{
    // Class c has 10 + c examples; every value of example e of class c is 1000·c + e, so rows identify themselves.
    private static readonly InMemoryDataset Coded = new(
        [.. Enumerable.Range(0, 12).Select(c => $"class{c}")],
        [.. Enumerable.Range(0, 12).Select(c => Enumerable.Range(0, 10 + c).SelectMany(e => Enumerable.Repeat(1000f * c + e, 4)).ToArray())],
        [1, 2, 2]);

    private static (int Class, int Example) Decode(float[] x, int row)
    {
        float value = x[row * 4];
        return ((int)value / 1000, (int)value % 1000);
    }

    [Fact]
    public void EpisodesHaveTheDocumentedShapesAndLabels()
    {
        var episode = new EpisodeSampler(Coded, ways: 5, shots: 2, queries: 3).Sample(new Random(1));

        Assert.Equal([10, 1, 2, 2], episode.SupportShape);
        Assert.Equal([15, 1, 2, 2], episode.QueryShape);
        Assert.Equal(10 * 4, episode.SupportX.Length);
        Assert.Equal(15 * 4, episode.QueryX.Length);
        Assert.Equal([0L, 0, 1, 1, 2, 2, 3, 3, 4, 4], episode.SupportY);
        Assert.Equal([0L, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], episode.QueryY);
    }

    [Fact]
    public void RowsComeFromTheirLabelsClassAndSupportAndQueryAreDisjoint()
    {
        var sampler = new EpisodeSampler(Coded, ways: 5, shots: 3, queries: 6);
        var random = new Random(2);
        for (int n = 0; n < 200; n++)
        {
            var episode = sampler.Sample(random);

            Assert.Equal(5, episode.ClassIds.Distinct().Count());
            Assert.All(episode.SupportY.Concat(episode.QueryY), y => Assert.InRange(y, 0, 4));
            var support = Enumerable.Range(0, 15).Select(r => Decode(episode.SupportX, r)).ToArray();
            var query = Enumerable.Range(0, 30).Select(r => Decode(episode.QueryX, r)).ToArray();
            for (int r = 0; r < 15; r++)
            {
                Assert.Equal(episode.ClassIds[(int)episode.SupportY[r]], support[r].Class);
                Assert.Equal(episode.SupportExampleIndices[r], support[r].Example);
            }

            for (int r = 0; r < 30; r++)
            {
                Assert.Equal(episode.ClassIds[(int)episode.QueryY[r]], query[r].Class);
                Assert.Equal(episode.QueryExampleIndices[r], query[r].Example);
            }

            Assert.Empty(support.Intersect(query));
            Assert.Equal(45, support.Concat(query).Distinct().Count());
            Assert.Equal(episode.ClassIds.Select(c => $"class{c}"), episode.ClassNames);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameEpisodes()
    {
        var sampler = new EpisodeSampler(Coded, 4, 1, 5);
        var first = new Random(42);
        var second = new Random(42);

        for (int n = 0; n < 20; n++)
        {
            var a = sampler.Sample(first);
            var b = sampler.Sample(second);

            Assert.Equal(a.ClassIds, b.ClassIds);
            Assert.Equal(a.SupportX, b.SupportX);
            Assert.Equal(a.QueryX, b.QueryX);
            Assert.Equal(a.QueryY, b.QueryY);
        }
    }

    [Fact]
    public void EpisodesOfAGivenSeedNeverChange()
    {
        // Pinned: a resumed or repeated run must draw the very episodes that the original run drew.
        var episode = new EpisodeSampler(Coded, 5, 2, 3).Sample(new Random(123));

        Assert.Equal([11, 10, 9, 1, 2], episode.ClassIds);
        Assert.Equal([1, 0, 18, 10, 16, 11, 1, 0, 7, 8], episode.SupportExampleIndices);
        Assert.Equal([4, 6, 14, 5, 1, 2, 6, 3, 18, 9, 3, 2, 10, 0, 5], episode.QueryExampleIndices);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentEpisodes()
    {
        var sampler = new EpisodeSampler(Coded, 4, 1, 5);

        var a = sampler.SampleBatch(new Random(1), 5);
        var b = sampler.SampleBatch(new Random(2), 5);

        Assert.NotEqual(a.StackSupportX(), b.StackSupportX());
    }

    [Fact]
    public void ClassesAreDrawnFromTheWholeSplitInRandomLabelOrder()
    {
        var sampler = new EpisodeSampler(Coded, 3, 1, 1);
        var random = new Random(3);
        var counts = new int[12];
        int sortedLabelOrders = 0;
        const int Episodes = 3000;
        for (int n = 0; n < Episodes; n++)
        {
            var ids = sampler.Sample(random).ClassIds;
            foreach (int id in ids)
            {
                counts[id]++;
            }

            sortedLabelOrders += ids.SequenceEqual(ids.Order()) ? 1 : 0;
        }

        // Each class is expected 750 times (3000 · 3 / 12); label orders are sorted about 1 time in 6.
        Assert.All(counts, count => Assert.InRange(count, 600, 900));
        Assert.InRange(sortedLabelOrders, 350, 650);
    }

    [Fact]
    public void OnlyTheChosenSplitsClassesAppear()
    {
        var split = new ClassSubsetDataset(Coded, [3, 5, 7, 9, 11]);
        var sampler = new EpisodeSampler(split, 5, 1, 2);
        var random = new Random(4);

        for (int n = 0; n < 50; n++)
        {
            var episode = sampler.Sample(random);
            var sourceClasses = Enumerable.Range(0, 5).Select(r => Decode(episode.SupportX, r).Class);

            Assert.Equal([3, 5, 7, 9, 11], sourceClasses.Order());
            Assert.Equal([0, 1, 2, 3, 4], episode.ClassIds.Order());
        }
    }

    [Fact]
    public void BatchesStackEpisodesInOrder()
    {
        var sampler = new EpisodeSampler(Coded, 2, 1, 1);

        var batch = sampler.SampleBatch(new Random(5), 3);
        var replay = new Random(5);

        Assert.Equal(3, batch.Count);
        Assert.Equal(3 * 2 * 4, batch.StackQueryX().Length);
        Assert.Equal(batch.Episodes.SelectMany(e => e.SupportY), batch.StackSupportY());
        Assert.Equal(batch.Episodes.SelectMany(e => e.QueryY), batch.StackQueryY());
        foreach (var episode in batch.Episodes)
        {
            Assert.Equal(sampler.Sample(replay).SupportX, episode.SupportX);
        }
    }

    [Fact]
    public void ExplainsWhyAnEpisodeCannotBeDrawn()
    {
        var tooFewClasses = Assert.Throws<ArgumentException>(() => new EpisodeSampler(Coded, 13, 1, 1));
        var tooFewExamples = Assert.Throws<ArgumentException>(() => new EpisodeSampler(Coded, 5, 5, 6));

        Assert.Contains("has 12 classes, but a 13-way episode needs at least 13", tooFewClasses.Message);
        Assert.Contains("class 'class0' (index 0) has 10 examples", tooFewExamples.Message);
        Assert.Contains("need 11 per class", tooFewExamples.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Coded, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Coded, 2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Coded, 2, 1, -1));
    }

    [Fact]
    public void SamplesOmniglotTrainingEpisodesWithRotatedClasses()
    {
        var splits = OmniglotData.Load(RepoPaths.Omniglot);
        var sampler = new EpisodeSampler(splits.Train, 5, 1, 15);

        var batch = sampler.SampleBatch(new Random(6), 4);

        Assert.All(batch.Episodes, e => Assert.Equal([5, 1, 28, 28], e.SupportShape));
        Assert.All(batch.Episodes, e => Assert.All(e.ClassIds, id => Assert.InRange(id, 0, (964 * 4) - 1)));
        Assert.Equal(4 * 75 * 784, batch.StackQueryX().Length);
    }
}
