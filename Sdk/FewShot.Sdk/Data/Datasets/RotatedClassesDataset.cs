using System.Buffers;

namespace FewShot.Sdk.Data;

/// <summary>
/// A view in which every class of a source image dataset appears once per rotation, each rotation a class of its
/// own, as in Omniglot meta-training (Santoro et al. 2016). Rotations are exact, counter-clockwise, computed on
/// demand. Thread-safe when the source is.
/// </summary>
/// <remarks>
/// Class <c>c · R + r</c> of the view is source class <c>c</c> rotated by <see cref="Rotations"/>[r], where R is
/// the number of rotations; it is named <c>"{source name}/rot{degrees}"</c>.
/// </remarks>
public sealed class RotatedClassesDataset : IFewShotDataset
{
    private readonly int[] rotations;
    private readonly int[] shape;
    private readonly int exampleLength;

    /// <summary>Multiplies the classes of <paramref name="source"/> (examples <c>[C, H, W]</c>) by <paramref name="rotations"/> (each 0, 90, 180 or 270).</summary>
    /// <exception cref="ArgumentException">
    /// A rotation is not a distinct multiple of 90 below 360, none is given, the examples are not <c>[C, H, W]</c>,
    /// or a quarter turn is asked of non-square images (which would change the example shape).
    /// </exception>
    public RotatedClassesDataset(IFewShotDataset source, IReadOnlyList<int> rotations)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rotations);
        if (rotations.Count == 0)
        {
            throw new ArgumentException("at least one rotation is needed; use 0 for the unrotated images", nameof(rotations));
        }

        if (source.ExampleShape.Count != 3)
        {
            throw new ArgumentException(
                $"rotation needs [channels, height, width] examples, but the source's are ({string.Join(", ", source.ExampleShape)})", nameof(source));
        }

        foreach (int degrees in rotations)
        {
            if (degrees is not (0 or 90 or 180 or 270))
            {
                throw new ArgumentException($"rotation {degrees}° is not supported; expected 0, 90, 180 or 270", nameof(rotations));
            }

            if (degrees is 90 or 270 && source.ExampleShape[1] != source.ExampleShape[2])
            {
                throw new ArgumentException(
                    $"a {degrees}° rotation of {source.ExampleShape[1]}×{source.ExampleShape[2]} images would change their shape; quarter turns need square images", nameof(rotations));
            }
        }

        if (rotations.Distinct().Count() != rotations.Count)
        {
            throw new ArgumentException($"rotations ({string.Join(", ", rotations)}) repeat a value", nameof(rotations));
        }

        Source = source;
        this.rotations = [.. rotations];
        shape = [.. source.ExampleShape];
        exampleLength = shape[0] * shape[1] * shape[2];
    }

    /// <summary>The dataset whose classes are rotated.</summary>
    public IFewShotDataset Source { get; }

    /// <summary>The rotations in degrees, counter-clockwise, in the order they number the view's classes.</summary>
    public IReadOnlyList<int> Rotations => rotations;

    /// <inheritdoc/>
    public int ClassCount => Source.ClassCount * rotations.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> ExampleShape => shape;

    /// <summary>The source class that class <paramref name="classIndex"/> rotates.</summary>
    public int GetSourceClassIndex(int classIndex)
    {
        DatasetChecks.ClassIndex(classIndex, ClassCount);
        return classIndex / rotations.Length;
    }

    /// <summary>The rotation in degrees of class <paramref name="classIndex"/>.</summary>
    public int GetRotation(int classIndex)
    {
        DatasetChecks.ClassIndex(classIndex, ClassCount);
        return rotations[classIndex % rotations.Length];
    }

    /// <inheritdoc/>
    public string GetClassName(int classIndex) =>
        $"{Source.GetClassName(GetSourceClassIndex(classIndex))}/rot{GetRotation(classIndex)}";

    /// <inheritdoc/>
    public int GetExampleCount(int classIndex) => Source.GetExampleCount(GetSourceClassIndex(classIndex));

    /// <inheritdoc/>
    public void CopyExample(int classIndex, int exampleIndex, Span<float> destination)
    {
        DatasetChecks.Destination(destination.Length, exampleLength);
        int degrees = GetRotation(classIndex);
        if (degrees == 0)
        {
            Source.CopyExample(GetSourceClassIndex(classIndex), exampleIndex, destination);
            return;
        }

        float[] rented = ArrayPool<float>.Shared.Rent(exampleLength);
        try
        {
            var original = rented.AsSpan(0, exampleLength);
            Source.CopyExample(GetSourceClassIndex(classIndex), exampleIndex, original);
            ImageRotation.Rotate(original, destination, shape[0], shape[1], shape[2], degrees);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
