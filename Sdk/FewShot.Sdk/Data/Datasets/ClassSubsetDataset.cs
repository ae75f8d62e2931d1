namespace FewShot.Sdk.Data;

/// <summary>
/// A view of some classes of a source dataset, in the order given; examples are read from the source on demand.
/// Thread-safe when the source is.
/// </summary>
public sealed class ClassSubsetDataset : IFewShotDataset
{
    private readonly int[] sourceClassIndices;

    /// <summary>Selects the classes <paramref name="sourceClassIndices"/> of <paramref name="source"/>; class <c>i</c> of the view is source class <c>sourceClassIndices[i]</c>.</summary>
    /// <exception cref="ArgumentException">An index is out of range or repeated.</exception>
    public ClassSubsetDataset(IFewShotDataset source, IReadOnlyList<int> sourceClassIndices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceClassIndices);
        var seen = new HashSet<int>();
        foreach (int index in sourceClassIndices)
        {
            if ((uint)index >= (uint)source.ClassCount)
            {
                throw new ArgumentException($"class index {index} is outside the source's [0, {source.ClassCount})", nameof(sourceClassIndices));
            }

            if (!seen.Add(index))
            {
                throw new ArgumentException($"class index {index} is selected twice", nameof(sourceClassIndices));
            }
        }

        Source = source;
        this.sourceClassIndices = [.. sourceClassIndices];
    }

    /// <summary>The dataset this view selects from.</summary>
    public IFewShotDataset Source { get; }

    /// <summary>For each class of the view, its index in <see cref="Source"/>.</summary>
    public IReadOnlyList<int> SourceClassIndices => sourceClassIndices;

    /// <inheritdoc/>
    public int ClassCount => sourceClassIndices.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> ExampleShape => Source.ExampleShape;

    /// <inheritdoc/>
    public string GetClassName(int classIndex) => Source.GetClassName(Map(classIndex));

    /// <inheritdoc/>
    public int GetExampleCount(int classIndex) => Source.GetExampleCount(Map(classIndex));

    /// <inheritdoc/>
    public void CopyExample(int classIndex, int exampleIndex, Span<float> destination) =>
        Source.CopyExample(Map(classIndex), exampleIndex, destination);

    private int Map(int classIndex)
    {
        DatasetChecks.ClassIndex(classIndex, sourceClassIndices.Length);
        return sourceClassIndices[classIndex];
    }
}
