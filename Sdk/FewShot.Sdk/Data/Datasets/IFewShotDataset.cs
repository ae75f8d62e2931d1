namespace FewShot.Sdk.Data;

/// <summary>
/// A labelled collection for few-shot learning: a number of classes, each with its own number of examples,
/// every example a float32 tensor of the same <see cref="ExampleShape"/>.
/// </summary>
/// <remarks>
/// Classes and examples are addressed by index. Implementations in this namespace are immutable, so reading
/// from several threads at once is safe. Views (<see cref="ClassSubsetDataset"/>, <see cref="RotatedClassesDataset"/>)
/// compose over a source dataset without copying it.
/// </remarks>
public interface IFewShotDataset
{
    /// <summary>The number of classes.</summary>
    int ClassCount { get; }

    /// <summary>The shape of one example, for images <c>[channels, height, width]</c>.</summary>
    IReadOnlyList<int> ExampleShape { get; }

    /// <summary>A stable, human-readable name of class <paramref name="classIndex"/>, unique within the dataset.</summary>
    string GetClassName(int classIndex);

    /// <summary>The number of examples of class <paramref name="classIndex"/>.</summary>
    int GetExampleCount(int classIndex);

    /// <summary>
    /// Writes example <paramref name="exampleIndex"/> of class <paramref name="classIndex"/> into
    /// <paramref name="destination"/>, which must hold exactly the product of <see cref="ExampleShape"/> values.
    /// </summary>
    void CopyExample(int classIndex, int exampleIndex, Span<float> destination);
}
