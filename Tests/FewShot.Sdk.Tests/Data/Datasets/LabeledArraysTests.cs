using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Datasets;

/// <summary>A user's .npz of 'x' and 'y' read into classes, and each way such a file can be wrong, refused by name.</summary>
public sealed class LabeledArraysTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        var path = _folder.File(name);
        NpzWriter.Write(path, arrays);
        return path;
    }

    private static NpyArray Features(int count, int features = 3) =>
        NpyArray.Create(Enumerable.Range(0, count * features).Select(i => (float)i).ToArray(), count, features);

    [Fact]
    public void ClassesAreTheDistinctLabelsAndGrayImagesGetAChannelAxis()
    {
        var path = Write("gray.npz", new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.Create(new byte[6 * 4 * 5], 6, 4, 5),
            ["y"] = NpyArray.Create(new long[] { 7, 3, 7, 3, 9, 9 }, 6),
        });

        var dataset = LabeledArrays.Load(path);

        Assert.Equal(3, dataset.ClassCount);
        Assert.Equal(["3", "7", "9"], Enumerable.Range(0, 3).Select(dataset.GetClassName));
        Assert.Equal([1, 4, 5], dataset.ExampleShape);
        Assert.Equal([3], LabeledArrays.Load(Write("flat.npz", new Dictionary<string, NpyArray> { ["x"] = Features(2), ["y"] = NpyArray.Create(new int[] { 0, 1 }, 2) })).ExampleShape);
    }

    [Fact]
    public void AMissingArrayIsNamedWithWhatTheFileHolds()
    {
        var noY = Write("no-y.npz", new Dictionary<string, NpyArray> { ["x"] = Features(2), ["labels"] = NpyArray.Create(new long[] { 0, 1 }, 2) });
        var noX = Write("no-x.npz", new Dictionary<string, NpyArray> { ["images"] = Features(2), ["y"] = NpyArray.Create(new long[] { 0, 1 }, 2) });

        var y = Assert.Throws<ArgumentException>(() => LabeledArrays.Load(noY));
        var x = Assert.Throws<ArgumentException>(() => LabeledArrays.Load(noX));

        Assert.Contains("has no array 'y' (it holds x, labels)", y.Message, StringComparison.Ordinal);
        Assert.Contains("has no array 'x' (it holds images, y)", x.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatOrBoolLabelsAreRefusedAsNotClassLabels()
    {
        var floats = Write("targets.npz", new Dictionary<string, NpyArray> { ["x"] = Features(2), ["y"] = NpyArray.Create(new double[] { 0.5, 1.5 }, 2) });
        var bools = Write("bools.npz", new Dictionary<string, NpyArray> { ["x"] = Features(2), ["y"] = NpyArray.Create(new[] { true, false }, 2) });

        Assert.Contains("'y' holds Float64 values (regression targets)", Assert.Throws<ArgumentException>(() => LabeledArrays.Load(floats)).Message, StringComparison.Ordinal);
        Assert.Contains("'y' holds bool values", Assert.Throws<ArgumentException>(() => LabeledArrays.Load(bools)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteInputsAreRefusedWithTheExampleAndElement()
    {
        var values = new double[4 * 3];
        values[(2 * 3) + 1] = double.NaN;
        var path = Write("nan.npz", new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(values, 4, 3), ["y"] = NpyArray.Create(new long[] { 0, 0, 1, 1 }, 4) });

        var error = Assert.Throws<ArgumentException>(() => LabeledArrays.Load(path));

        Assert.Contains("'x' example 2 holds NaN at element 1; every value must be finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedLengthsAndShapesAreRefused()
    {
        var lengths = Write("lengths.npz", new Dictionary<string, NpyArray> { ["x"] = Features(3), ["y"] = NpyArray.Create(new long[] { 0, 1 }, 2) });
        var scalars = Write("scalars.npz", new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(new float[] { 1, 2 }, 2), ["y"] = NpyArray.Create(new long[] { 0, 1 }, 2) });

        Assert.Contains("'x' has shape [3, 3] and 'y' [2]; expected one label per example, [3]", Assert.Throws<ArgumentException>(() => LabeledArrays.Load(lengths)).Message, StringComparison.Ordinal);
        Assert.Contains("'x' has shape [2]; expected [n, channels, height, width]", Assert.Throws<ArgumentException>(() => LabeledArrays.Load(scalars)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedOrMissingFileIsAnArgumentErrorNamingIt()
    {
        var whole = Write("whole.npz", new Dictionary<string, NpyArray> { ["x"] = Features(40), ["y"] = NpyArray.Create(new long[40], 40) });
        var cut = _folder.File("cut.npz");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var truncated = Assert.Throws<ArgumentException>(() => LabeledArrays.Load(cut));
        var missing = Assert.Throws<ArgumentException>(() => LabeledArrays.Load(_folder.File("none.npz")));

        Assert.Contains($"{cut} is not a readable .npz", truncated.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(truncated.InnerException);
        Assert.Contains("is not a file", missing.Message, StringComparison.Ordinal);
    }
}
