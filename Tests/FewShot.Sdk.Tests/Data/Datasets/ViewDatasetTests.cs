using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Datasets;

public sealed class ViewDatasetTests
{
    // One class, one 3×3 example whose values are its row-major positions.
    private static readonly InMemoryDataset Grid = new(["g"], [[0, 1, 2, 3, 4, 5, 6, 7, 8]], [1, 3, 3]);

    private static float[] Example(IFewShotDataset dataset, int classIndex)
    {
        var values = new float[9];
        dataset.CopyExample(classIndex, 0, values);
        return values;
    }

    [Fact]
    public void SubsetMapsClassesInTheGivenOrder()
    {
        var source = new InMemoryDataset(["a", "b", "c"], [[1], [2, 3], [4]], [1]);

        var subset = new ClassSubsetDataset(source, [2, 0]);

        Assert.Equal(2, subset.ClassCount);
        Assert.Equal("c", subset.GetClassName(0));
        Assert.Equal(1, subset.GetExampleCount(1));
        Assert.Equal([2, 0], subset.SourceClassIndices);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => new ClassSubsetDataset(source, [3])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new ClassSubsetDataset(source, [1, 1])).Message);
    }

    [Fact]
    public void RotationsAreCounterClockwiseLikeNumPyRot90()
    {
        var rotated = new RotatedClassesDataset(Grid, [0, 90, 180, 270]);

        // numpy.rot90([[0,1,2],[3,4,5],[6,7,8]]) == [[2,5,8],[1,4,7],[0,3,6]].
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7, 8], Example(rotated, 0));
        Assert.Equal([2f, 5, 8, 1, 4, 7, 0, 3, 6], Example(rotated, 1));
        Assert.Equal([8f, 7, 6, 5, 4, 3, 2, 1, 0], Example(rotated, 2));
        Assert.Equal([6f, 3, 0, 7, 4, 1, 8, 5, 2], Example(rotated, 3));
        Assert.Equal(["g/rot0", "g/rot90", "g/rot180", "g/rot270"], Enumerable.Range(0, 4).Select(rotated.GetClassName));
    }

    [Fact]
    public void RotatedClassesMultiplyTheSourceClasses()
    {
        var source = new InMemoryDataset(["a", "b"], [new float[4], new float[8]], [1, 2, 2]);

        var rotated = new RotatedClassesDataset(source, [0, 180]);

        Assert.Equal(4, rotated.ClassCount);
        Assert.Equal(1, rotated.GetSourceClassIndex(3));
        Assert.Equal(180, rotated.GetRotation(3));
        Assert.Equal(2, rotated.GetExampleCount(2));
        Assert.Equal("b/rot180", rotated.GetClassName(3));
    }

    [Fact]
    public void RejectsRotationsThatAreNotExactOrWouldChangeTheShape()
    {
        var wide = new InMemoryDataset(["w"], [new float[6]], [1, 2, 3]);

        Assert.Contains("45°", Assert.Throws<ArgumentException>(() => new RotatedClassesDataset(Grid, [45])).Message);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => new RotatedClassesDataset(wide, [90])).Message);
        Assert.Contains("repeat", Assert.Throws<ArgumentException>(() => new RotatedClassesDataset(Grid, [0, 0])).Message);
        Assert.Throws<ArgumentException>(() => new RotatedClassesDataset(Grid, []));
        Assert.Equal(2, new RotatedClassesDataset(wide, [0, 180]).ClassCount);
    }
}
