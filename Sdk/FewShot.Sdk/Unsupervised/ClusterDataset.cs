using FewShot.Sdk.Data;

namespace FewShot.Sdk.Unsupervised;

/// <summary>
/// Images grouped by a clustering instead of labels: class i is the i-th cluster that has at least a minimum number of
/// members, its examples those members. Reads from the images array it is given (not copied). Immutable, thread-safe.
/// </summary>
public sealed class ClusterDataset : IFewShotDataset
{
    private readonly float[] _images;
    private readonly int[][] _members;
    private readonly int _exampleLength;

    /// <summary>Groups <paramref name="images"/> (row-major [n, …shape]) by <paramref name="assignment"/>, keeping clusters of at least <paramref name="minimumSize"/>.</summary>
    /// <exception cref="ArgumentException">The assignment does not cover every image.</exception>
    public ClusterDataset(float[] images, IReadOnlyList<int> exampleShape, IReadOnlyList<int> assignment, int minimumSize)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentNullException.ThrowIfNull(assignment);
        _exampleLength = exampleShape.Aggregate(1, (a, b) => a * b);
        if (images.Length != (long)assignment.Count * _exampleLength)
        {
            throw new ArgumentException($"{assignment.Count} cluster assignments for {images.Length / _exampleLength} images", nameof(assignment));
        }

        _images = images;
        ExampleShape = [.. exampleShape];
        _members = Enumerable.Range(0, assignment.Count).GroupBy(i => assignment[i]).Where(g => g.Count() >= minimumSize).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }

    /// <inheritdoc />
    public int ClassCount => _members.Length;

    /// <inheritdoc />
    public IReadOnlyList<int> ExampleShape { get; }

    /// <inheritdoc />
    public string GetClassName(int classIndex) => $"cluster-{classIndex}";

    /// <inheritdoc />
    public int GetExampleCount(int classIndex) => _members[classIndex].Length;

    /// <inheritdoc />
    public void CopyExample(int classIndex, int exampleIndex, Span<float> destination) =>
        _images.AsSpan(_members[classIndex][exampleIndex] * _exampleLength, _exampleLength).CopyTo(destination);
}
