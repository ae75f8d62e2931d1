using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Datasets;

public sealed class InMemoryDatasetTests
{
    [Fact]
    public void StoresClassesOfDifferentSizes()
    {
        var dataset = new InMemoryDataset(["a", "b"], [[1, 2, 3, 4], [5, 6]], [1, 1, 2]);
        var example = new float[2];

        dataset.CopyExample(0, 1, example);

        Assert.Equal(2, dataset.ClassCount);
        Assert.Equal([1, 1, 2], dataset.ExampleShape);
        Assert.Equal(2, dataset.GetExampleCount(0));
        Assert.Equal(1, dataset.GetExampleCount(1));
        Assert.Equal("b", dataset.GetClassName(1));
        Assert.Equal([3f, 4f], example);
    }

    [Fact]
    public void RejectsInconsistentConstruction()
    {
        Assert.Contains("not a whole number", Assert.Throws<ArgumentException>(() => new InMemoryDataset(["a"], [[1, 2, 3]], [2])).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new InMemoryDataset(["a", "a"], [[1], [2]], [1])).Message);
        Assert.Contains("2 class names", Assert.Throws<ArgumentException>(() => new InMemoryDataset(["a", "b"], [[1]], [1])).Message);
        Assert.Contains("dimension 0", Assert.Throws<ArgumentException>(() => new InMemoryDataset(["a"], [[1]], [1, 0])).Message);
    }

    [Fact]
    public void RejectsNonFiniteValuesNamingTheExample()
    {
        var nan = Assert.Throws<ArgumentException>(() => new InMemoryDataset(["a", "b"], [[1, 2, 3, 4], [5, 6, 7, float.NaN]], [2]));
        var infinity = Assert.Throws<ArgumentException>(() => InMemoryDataset.FromClassMajor(NpyArray.Create([0f, 1, float.PositiveInfinity, 3], 1, 2, 1, 2)));

        Assert.Contains("class 'b' example 1 holds NaN at element 1", nan.Message);
        Assert.Contains("class '0' example 1 holds Infinity at element 0", infinity.Message);
    }

    [Fact]
    public void IndexErrorsNameTheValidRange()
    {
        var dataset = new InMemoryDataset(["a"], [[1, 2]], [1]);

        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetExampleCount(1)).Message);
        Assert.Contains("[0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => dataset.CopyExample(0, 2, new float[1])).Message);
        Assert.Contains("holds 2 values", Assert.Throws<ArgumentException>(() => dataset.CopyExample(0, 0, new float[2])).Message);
    }

    [Fact]
    public void BuildsFromAClassMajorArrayAddingAChannelAxisToImages()
    {
        float[] values = [.. Enumerable.Range(0, 3 * 2 * 2 * 2).Select(i => (float)i)];

        var dataset = InMemoryDataset.FromClassMajor(NpyArray.Create(values, 3, 2, 2, 2));
        var example = new float[4];
        dataset.CopyExample(2, 1, example);

        Assert.Equal(3, dataset.ClassCount);
        Assert.Equal([1, 2, 2], dataset.ExampleShape);
        Assert.Equal([20f, 21, 22, 23], example);
        Assert.Equal("2", dataset.GetClassName(2));
    }

    [Fact]
    public void BuildsFromLabeledExamplesGroupedByLabel()
    {
        var inputs = NpyArray.Create([10f, 11, 20, 21, 30, 31, 40, 41], 4, 2);
        var labels = NpyArray.Create([7L, 3, 7, 3], 4);

        var dataset = InMemoryDataset.FromLabeledExamples(inputs, labels);
        var example = new float[2];

        Assert.Equal(["3", "7"], new[] { dataset.GetClassName(0), dataset.GetClassName(1) });
        Assert.Equal([2], dataset.ExampleShape);
        dataset.CopyExample(0, 1, example);
        Assert.Equal([40f, 41], example);
        dataset.CopyExample(1, 0, example);
        Assert.Equal([10f, 11], example);
    }

    [Fact]
    public void RejectsMismatchedOrFloatLabels()
    {
        var inputs = NpyArray.Create(new float[4], 2, 2);

        Assert.Throws<ArgumentException>(() => InMemoryDataset.FromLabeledExamples(inputs, NpyArray.Create([1L, 2, 3], 3)));
        Assert.Contains("integer", Assert.Throws<ArgumentException>(() => InMemoryDataset.FromLabeledExamples(inputs, NpyArray.Create([1f, 2f], 2))).Message);
        Assert.Throws<ArgumentException>(() => InMemoryDataset.FromClassMajor(NpyArray.Create(new float[4], 2, 2)));
    }
}
