using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Tests.Shared;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Episodes;

/// <summary>Within-alphabet episodes (Lake et al.'s one-shot protocol): every class of an episode from one group, reproducibly.</summary>
public sealed class WithinGroupEpisodeSamplerTests
{
    private static readonly InMemoryDataset Coded = new(
        [.. Enumerable.Range(0, 12).Select(c => $"class{c}")],
        [.. Enumerable.Range(0, 12).Select(c => Enumerable.Range(0, 10).SelectMany(e => Enumerable.Repeat(1000f * c + e, 4)).ToArray())],
        [1, 2, 2]);

    private static readonly ClassGroup[] Groups = [new("A", [0, 1, 2, 3, 4]), new("B", [5, 6, 7, 8]), new("C", [9, 10, 11])];

    [Fact]
    public void EveryEpisodesClassesShareOneGroup_AndEveryGroupIsDrawn()
    {
        var sampler = new WithinGroupEpisodeSampler(Coded, Groups, ways: 3, shots: 1, queries: 2);
        var random = new Random(3);
        var drawn = new HashSet<string>();
        for (var n = 0; n < 300; n++)
        {
            var episode = sampler.Sample(random);
            var group = Groups.Single(g => g.Classes.Contains(episode.ClassIds[0]));
            Assert.All(episode.ClassIds, c => Assert.Contains(c, group.Classes));
            Assert.Equal(3, episode.ClassIds.Distinct().Count());

            // Rows carry their class's code, so the episode's data, not only its ids, comes from the group.
            Assert.All(Enumerable.Range(0, 3), row => Assert.Contains((int)episode.SupportX[row * 4] / 1000, group.Classes));
            drawn.Add(group.Name);
        }

        Assert.Equal(["A", "B", "C"], drawn.Order());
    }

    [Fact]
    public void TheSameSeedGivesTheSameEpisodes_AnotherSeedOthers()
    {
        var sampler = new WithinGroupEpisodeSampler(Coded, Groups, ways: 3, shots: 2, queries: 2);
        int[][] Draw(int seed)
        {
            var random = new Random(seed);
            return [.. Enumerable.Range(0, 20).Select(_ => sampler.Sample(random).ClassIds.ToArray())];
        }

        Assert.Equal(Draw(5), Draw(5));
        Assert.NotEqual(Draw(5), Draw(6));
    }

    [Fact]
    public void AGroupWithFewerClassesThanTheWays_IsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => new WithinGroupEpisodeSampler(Coded, Groups, ways: 4, shots: 1, queries: 1, "alphabet"));

        Assert.Contains("alphabet 'C' has 3 classes, but a 4-way episode draws all 4 from one alphabet", error.Message);
    }

    [Fact]
    public void GroupsThatOverlapOrNameUnknownClasses_AreRefused()
    {
        Assert.Contains("in another group too", Assert.Throws<ArgumentException>(() =>
            new WithinGroupEpisodeSampler(Coded, [new("A", [0, 1]), new("B", [1, 2])], ways: 2, shots: 1, queries: 1)).Message);
        Assert.Contains("not a class of the dataset (0..11)", Assert.Throws<ArgumentException>(() =>
            new WithinGroupEpisodeSampler(Coded, [new("A", [0, 12])], ways: 2, shots: 1, queries: 1)).Message);
        Assert.Throws<ArgumentException>(() => new WithinGroupEpisodeSampler(Coded, [], ways: 2, shots: 1, queries: 1));
    }

    [Fact]
    public void OmniglotsEvaluationAlphabets_MatchTheReleasedCharacterNumbers()
    {
        Assert.Equal(20, OmniglotAlphabets.Evaluation.Count);
        Assert.Equal(OmniglotData.EvaluationCharacterCount, OmniglotAlphabets.Evaluation.Sum(a => a.Characters));

        // Released file names: Angelic/character01/0965_01.png, Kannada/character25/1229_*.png,
        // Malayalam/character05/1276_03.png, Tibetan/character14/1569_12.png, ULOG/character14/1611_17.png.
        Assert.Equal("Angelic", OmniglotAlphabets.EvaluationAlphabetOf(965));
        Assert.Equal("Kannada", OmniglotAlphabets.EvaluationAlphabetOf(1229));
        Assert.Equal("Malayalam", OmniglotAlphabets.EvaluationAlphabetOf(1276));
        Assert.Equal("Tibetan", OmniglotAlphabets.EvaluationAlphabetOf(1569));
        Assert.Equal("ULOG", OmniglotAlphabets.EvaluationAlphabetOf(1623));
        Assert.Throws<ArgumentOutOfRangeException>(() => OmniglotAlphabets.EvaluationAlphabetOf(964));
        Assert.Throws<ArgumentOutOfRangeException>(() => OmniglotAlphabets.EvaluationAlphabetOf(1624));
        Assert.Equal("Syriac_(Serto)", OmniglotAlphabets.EvaluationAlphabetOf(1480));
        Assert.Equal("Syriac_(Serto)", OmniglotAlphabets.EvaluationAlphabetOf(1502));
        Assert.Equal("Sylheti", OmniglotAlphabets.EvaluationAlphabetOf(1503));
        Assert.Equal("Sylheti", OmniglotAlphabets.EvaluationAlphabetOf(1530));
    }

    [Fact]
    public void SylhetisCharactersAreTheOnesWithAHeadline()
    {
        // The one place where the release's numbering leaves alphabetical order (Syriac before Sylheti), checked against
        // the drawings: Sylheti letters hang from a horizontal headline, so some row of a drawing is mostly ink, which
        // Syriac's cursive letters rarely have (the fullest row of the 28×28 drawings: 0.518 ink against 0.278 on average;
        // with the two alphabets' ranges the other way round, as this table first had them, 0.321 against 0.517).
        var test = OmniglotData.Load(RepoPaths.Omniglot).Test;
        var fullestRow = new Dictionary<string, List<double>>();
        var size = test.ExampleShape[^1];
        var image = new float[test.ExampleShape.Aggregate(1, (a, b) => a * b)];
        for (var c = 0; c < test.ClassCount; c++)
        {
            var alphabet = OmniglotAlphabets.EvaluationAlphabetOf(int.Parse(test.GetClassName(c), System.Globalization.CultureInfo.InvariantCulture));
            if (alphabet is not ("Sylheti" or "Syriac_(Serto)"))
            {
                continue;
            }

            if (!fullestRow.TryGetValue(alphabet, out var rows))
            {
                fullestRow[alphabet] = rows = [];
            }

            for (var e = 0; e < test.GetExampleCount(c); e++)
            {
                test.CopyExample(c, e, image);
                rows.Add(Enumerable.Range(0, image.Length / size).Max(row => image.AsSpan(row * size, size).ToArray().Average()));
            }
        }

        Assert.Equal(28 * 20, fullestRow["Sylheti"].Count);
        Assert.Equal(23 * 20, fullestRow["Syriac_(Serto)"].Count);
        Assert.True(fullestRow["Sylheti"].Average() > fullestRow["Syriac_(Serto)"].Average() + 0.1,
            $"Sylheti's fullest rows average {fullestRow["Sylheti"].Average():F3} ink, Syriac's {fullestRow["Syriac_(Serto)"].Average():F3}");
    }

    [Fact]
    public void LakeTestEpisodes_Take20CharactersOfOneAlphabet()
    {
        var test = OmniglotData.Load(RepoPaths.Omniglot).Test;
        var alphabets = OmniglotAlphabets.GroupEvaluationClasses(test);
        Assert.Equal(20, alphabets.Count);
        Assert.Equal(OmniglotAlphabets.Evaluation.Select(a => a.Characters), alphabets.Select(a => a.Classes.Count));

        var sampler = new WithinGroupEpisodeSampler(test, alphabets, ways: 20, shots: 1, queries: 1, "alphabet");
        var random = new Random(1);
        for (var n = 0; n < 50; n++)
        {
            var names = sampler.Sample(random).ClassNames.Select(c => OmniglotAlphabets.EvaluationAlphabetOf(int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Single(names.Distinct());
        }

        Assert.Contains("alphabet 'Angelic' has 20 classes, but a 21-way episode", Assert.Throws<ArgumentException>(() =>
            new WithinGroupEpisodeSampler(test, alphabets, ways: 21, shots: 1, queries: 1, "alphabet")).Message);
    }

    [Fact]
    public void WithinAlphabetEpisodes_NeedTheLakeSplit()
    {
        var paper = new RunConfiguration { Dataset = "omniglot", DataPath = RepoPaths.Omniglot, Split = "paper", Algorithm = "protonet" };

        var error = Assert.Throws<ArgumentException>(() => RunData.Load(paper, 5, 1, withinAlphabet: true));
        Assert.Contains("lake split", error.Message);
        Assert.NotNull(RunData.Load(paper with { Split = "lake" }, 5, 1, withinAlphabet: true).WithinAlphabet);
    }
}
