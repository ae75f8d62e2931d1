using System.Globalization;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Omniglot;

/// <summary>Training blocks: runs of consecutive characters (an alphabet or two), each character with its rotations.</summary>
public sealed class OmniglotBlocksTests
{
    private static int Number(string className) => int.Parse(className.Split('/')[0], CultureInfo.InvariantCulture);

    [Fact]
    public void TheLakeSplitsTrainingCharactersFallIntoBlocksOfConsecutiveNumbersWithTheirRotations()
    {
        var train = OmniglotData.Load(RepoPaths.Omniglot).Train;

        var blocks = OmniglotBlocks.Group(train, 30);

        // 964 = 32 × 30 + 4: the last 4 characters join the 32nd block.
        Assert.Equal(32, blocks.Count);
        Assert.Equal(Enumerable.Range(0, train.ClassCount), blocks.SelectMany(b => b.Classes).Order());
        Assert.All(blocks.SkipLast(1), b => Assert.Equal(30 * 4, b.Classes.Count));
        Assert.Equal(34 * 4, blocks[^1].Classes.Count);
        for (var b = 0; b < blocks.Count; b++)
        {
            var numbers = blocks[b].Classes.Select(c => Number(train.GetClassName(c))).Distinct().Order().ToArray();
            Assert.Equal(Enumerable.Range((b * 30) + 1, numbers.Length), numbers);
            Assert.Equal($"{numbers[0]:0000}–{numbers[^1]:0000}", blocks[b].Name);
            Assert.All(numbers, n => Assert.Equal(4, blocks[b].Classes.Count(c => Number(train.GetClassName(c)) == n)));
        }
    }

    [Fact]
    public void AShortLastBlockStandsAloneFromHalfABlockOn()
    {
        var characters = new InMemoryDataset(
            [.. Enumerable.Range(1, 25).Select(n => $"{n:0000}")],
            [.. Enumerable.Range(1, 25).Select(_ => new float[2])],
            [1, 1, 1]);

        Assert.Equal([10, 10, 5], OmniglotBlocks.Group(characters, 10).Select(b => b.Classes.Count));
        Assert.Equal([12, 13], OmniglotBlocks.Group(characters, 12).Select(b => b.Classes.Count));
    }

    [Fact]
    public void ClassesNotNamedByCharacterNumberAndBlocksLargerThanTheSplitAreRefused()
    {
        var named = new InMemoryDataset(["0001", "cat"], [new float[2], new float[2]], [1, 1, 1]);
        var few = new InMemoryDataset(["0001", "0002"], [new float[2], new float[2]], [1, 1, 1]);

        Assert.Contains("class 'cat' is not an Omniglot character", Assert.Throws<ArgumentException>(() => OmniglotBlocks.Group(named, 2)).Message);
        Assert.Contains("blocks of 3 characters need at least that many; the training classes hold 2", Assert.Throws<ArgumentException>(() => OmniglotBlocks.Group(few, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OmniglotBlocks.Group(few, 1));
    }

    [Fact]
    public void ARunWithTrainingBlocksDrawsEveryTrainingEpisodeFromOneBlock()
    {
        var run = new RunConfiguration { Dataset = "omniglot", DataPath = RepoPaths.Omniglot, Split = "lake", Algorithm = "protonet", Ways = 5, Shots = 1, Queries = 2, TrainWays = 40, TrainBlock = 30 };
        var sampler = Assert.IsType<EpisodeTaskSource>(RunData.Load(run).Train).Sampler;
        var random = new Random(2);
        var spans = new List<int>();
        for (var n = 0; n < 40; n++)
        {
            var numbers = sampler.Sample(random).ClassNames.Select(Number).ToArray();
            Assert.Equal(40, numbers.Length);
            Assert.Equal((numbers.Min() - 1) / 30, Math.Min((numbers.Max() - 1) / 30, 31));
            spans.Add(numbers.Max() - numbers.Min());
        }

        // Without blocks, 40 of 964 characters span nearly the whole range.
        var unblocked = Assert.IsType<EpisodeTaskSource>(RunData.Load(run with { TrainBlock = null }).Train).Sampler;
        Assert.True(unblocked.Sample(new Random(2)).ClassNames.Select(Number) is var all && all.Max() - all.Min() > 500);
        Assert.All(spans, s => Assert.True(s < 34, $"an episode spans {s} character numbers"));
    }

    [Fact]
    public void TrainingBlocksNeedOmniglotEpisodesAndBlocksWithAsManyClassesAsTheWays()
    {
        var run = new RunConfiguration { Dataset = "omniglot", DataPath = RepoPaths.Omniglot, Split = "lake", Algorithm = "protonet", TrainWays = 60, TrainBlock = 10 };

        Assert.Contains("block '0001–0010' has 40 classes, but a 60-way episode draws all 60 from one block", Assert.Throws<ArgumentException>(() => RunData.Load(run)).Message);
        Assert.Contains("consecutive Omniglot characters; this run is sinusoid", Assert.Throws<ArgumentException>(() => RunData.Load(run with { Dataset = "sinusoid" })).Message);
        Assert.Contains("finetune does not train on episodes", Assert.Throws<ArgumentException>(() => RunData.Load(run with { Algorithm = "finetune" })).Message);
    }
}
