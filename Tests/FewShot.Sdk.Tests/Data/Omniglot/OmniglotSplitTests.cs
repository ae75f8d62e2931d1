using FewShot.Tests.Shared;
using FewShot.Sdk.Data;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Omniglot;

public sealed class OmniglotSplitTests
{
    private static InMemoryDataset Characters => OmniglotData.LoadCharacters(RepoPaths.Omniglot);

    private static int[] SourceCharacters(IFewShotDataset split) => split switch
    {
        RotatedClassesDataset rotated => [.. SourceCharacters(rotated.Source)],
        ClassSubsetDataset subset => [.. subset.SourceClassIndices],
        _ => throw new InvalidOperationException($"unexpected split type {split.GetType().Name}"),
    };

    [Fact]
    public void LakeSplitTrainsOnBackgroundAndTestsOnEvaluation()
    {
        var splits = OmniglotData.Load(RepoPaths.Omniglot);

        Assert.Equal(964 * 4, splits.Train.ClassCount);
        Assert.Null(splits.Validation);
        Assert.Equal(659, splits.Test.ClassCount);
        Assert.Equal(Enumerable.Range(0, 964), SourceCharacters(splits.Train));
        Assert.Equal(Enumerable.Range(964, 659), SourceCharacters(splits.Test));
        Assert.Equal("0001/rot90", splits.Train.GetClassName(1));
        Assert.Equal("0965", splits.Test.GetClassName(0));
    }

    [Fact]
    public void PaperSplitIs1100Train100Validation423TestDisjointAndCovering()
    {
        var splits = OmniglotData.CreateSplits(Characters, new OmniglotOptions { Split = OmniglotSplit.Paper, SplitSeed = 3 });

        int[] train = SourceCharacters(splits.Train), validation = SourceCharacters(splits.Validation!), test = SourceCharacters(splits.Test);
        Assert.Equal(4400, splits.Train.ClassCount);
        Assert.Equal((1100, 100, 423), (train.Length, validation.Length, test.Length));
        Assert.Equal(Enumerable.Range(0, 1623), train.Concat(validation).Concat(test).Order());
        Assert.Contains(train, c => c >= 964);
        Assert.Contains(test, c => c < 964);
    }

    [Fact]
    public void PaperSplitDependsOnlyOnItsSeed()
    {
        var options = new OmniglotOptions { Split = OmniglotSplit.Paper, SplitSeed = 11 };

        var first = OmniglotData.CreateSplits(Characters, options);
        var again = OmniglotData.CreateSplits(Characters, options);
        var other = OmniglotData.CreateSplits(Characters, new OmniglotOptions { Split = OmniglotSplit.Paper, SplitSeed = 12 });

        Assert.Equal(SourceCharacters(first.Test), SourceCharacters(again.Test));
        Assert.NotEqual(SourceCharacters(first.Test), SourceCharacters(other.Test));
    }

    [Fact]
    public void PaperSplitOfSeedZeroNeverChanges()
    {
        // Pinned: results reported on the paper split must stay comparable across versions of the SDK.
        var splits = OmniglotData.CreateSplits(Characters, new OmniglotOptions { Split = OmniglotSplit.Paper });

        Assert.Equal([2, 7, 16, 20, 24, 28, 32, 42], SourceCharacters(splits.Test).Take(8));
        Assert.Equal([19, 46, 50, 60, 61, 64, 65, 70], SourceCharacters(splits.Validation!).Take(8));
    }

    [Fact]
    public void TrainRotationsAreExactPermutationsOfTheCharacter()
    {
        var train = OmniglotData.Load(RepoPaths.Omniglot).Train;
        var upright = new float[784];
        var turned = new float[784];
        foreach (int character in new[] { 0, 500, 963 })
        {
            train.CopyExample(character * 4, 5, upright);
            for (int r = 1; r < 4; r++)
            {
                train.CopyExample((character * 4) + r, 5, turned);

                Assert.Equal(upright.Order(), turned.Order());
                for (int i = 0; i < 28; i++)
                {
                    for (int j = 0; j < 28; j++)
                    {
                        // Each quarter turn counter-clockwise maps (i, j) to (27 − j, i).
                        var (si, sj) = (i, j);
                        for (int k = 0; k < r; k++)
                        {
                            (si, sj) = (sj, 27 - si);
                        }

                        Assert.Equal(upright[(si * 28) + sj], turned[(i * 28) + j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void RotationCanBeTurnedOffAndNeverTouchesTestClasses()
    {
        var splits = OmniglotData.CreateSplits(Characters, new OmniglotOptions { Split = OmniglotSplit.Paper, TrainRotations = [0] });

        Assert.Equal(1100, splits.Train.ClassCount);
        Assert.IsType<ClassSubsetDataset>(splits.Validation);
        Assert.IsType<ClassSubsetDataset>(splits.Test);
    }

    [Fact]
    public void SplitsNeedAllCharacters()
    {
        var few = new InMemoryDataset(["a"], [new float[1]], [1]);

        Assert.Contains("1623", Assert.Throws<ArgumentException>(() => OmniglotData.CreateSplits(few)).Message);
    }
}
