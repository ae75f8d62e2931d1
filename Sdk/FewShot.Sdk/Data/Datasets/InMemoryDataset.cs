namespace FewShot.Sdk.Data;

/// <summary>
/// A dataset held in memory as one float32 block per class. Immutable after construction and thread-safe.
/// </summary>
/// <remarks>
/// The constructor takes ownership of the blocks passed in (they are not copied); callers must not change them
/// afterwards. Build one from NumPy arrays with <see cref="FromClassMajor"/> or <see cref="FromLabeledExamples"/>.
/// </remarks>
public sealed class InMemoryDataset : IFewShotDataset
{
    private readonly float[][] classes;
    private readonly string[] names;
    private readonly int[] exampleShape;
    private readonly int exampleLength;

    /// <summary>
    /// Creates a dataset whose class <c>i</c> is named <paramref name="classNames"/>[i] and whose examples are
    /// stored back to back in <paramref name="classData"/>[i] (its length a multiple of the example size).
    /// </summary>
    /// <exception cref="ArgumentException">Counts differ, names repeat, a block is not whole examples, or a value is NaN or infinite.</exception>
    public InMemoryDataset(IReadOnlyList<string> classNames, IReadOnlyList<float[]> classData, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(classData);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (classNames.Count != classData.Count)
        {
            throw new ArgumentException($"{classNames.Count} class names were given for {classData.Count} classes", nameof(classNames));
        }

        this.exampleShape = [.. exampleShape];
        exampleLength = DatasetChecks.ElementCount(this.exampleShape);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c < classData.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(classData[c], nameof(classData));
            if (classData[c].Length % exampleLength != 0)
            {
                throw new ArgumentException(
                    $"class '{classNames[c]}' holds {classData[c].Length} values, not a whole number of {exampleLength}-value examples", nameof(classData));
            }

            if (!seen.Add(classNames[c]))
            {
                throw new ArgumentException($"class name '{classNames[c]}' appears twice", nameof(classNames));
            }

            // A NaN in the data would surface iterations later as a diverged training run, blamed on the learning rates.
            int bad = FirstNonFinite(classData[c]);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"class '{classNames[c]}' example {bad / exampleLength} holds {classData[c][bad]} at element {bad % exampleLength}; examples must be finite", nameof(classData));
            }
        }

        names = [.. classNames];
        classes = [.. classData];
    }

    /// <inheritdoc/>
    public int ClassCount => classes.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> ExampleShape => exampleShape;

    /// <summary>
    /// Builds a dataset from a class-major array <c>[classes, examples, ...]</c> (any numeric dtype, converted to
    /// float32). The example shape is the remaining axes, except that <c>[height, width]</c> becomes
    /// <c>[1, height, width]</c> so that gray images have a channel axis. Classes are named by their index.
    /// </summary>
    /// <exception cref="ArgumentException">The array has fewer than three axes.</exception>
    public static InMemoryDataset FromClassMajor(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count < 3)
        {
            throw new ArgumentException(
                $"class-major array has shape ({string.Join(", ", array.Shape)}); expected [classes, examples, ...] with at least 3 axes", nameof(array));
        }

        int classCount = array.Shape[0];
        float[] values = array.ToFloat32();
        int perClass = classCount == 0 ? 0 : values.Length / classCount;
        var blocks = new float[classCount][];
        for (int c = 0; c < classCount; c++)
        {
            blocks[c] = values.AsSpan(c * perClass, perClass).ToArray();
        }

        var names = Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new InMemoryDataset(names, blocks, ImageShape(array.Shape.Skip(2).ToArray()));
    }

    /// <summary>
    /// Builds a dataset from examples <paramref name="inputs"/> <c>[n, ...]</c> and integer labels
    /// <paramref name="labels"/> <c>[n]</c>: one class per distinct label, in ascending label order, named by the
    /// label's value; examples keep their order within a class. <c>[n, height, width]</c> inputs get a channel axis.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes disagree or the labels are not integers.</exception>
    public static InMemoryDataset FromLabeledExamples(NpyArray inputs, NpyArray labels)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Shape.Count < 2 || labels.Shape.Count != 1 || labels.Shape[0] != inputs.Shape[0])
        {
            throw new ArgumentException(
                $"inputs have shape ({string.Join(", ", inputs.Shape)}) and labels ({string.Join(", ", labels.Shape)}); expected [n, ...] and [n]", nameof(labels));
        }

        if (labels.DType is NpyDType.Float32 or NpyDType.Float64)
        {
            throw new ArgumentException($"labels are {labels.DType}; expected an integer dtype", nameof(labels));
        }

        long[] labelValues = labels.ToInt64();
        float[] values = inputs.ToFloat32();
        int exampleLength = inputs.Shape[0] == 0 ? 0 : values.Length / inputs.Shape[0];
        var groups = labelValues
            .Select((label, index) => (label, index))
            .GroupBy(pair => pair.label)
            .OrderBy(group => group.Key)
            .ToArray();
        var blocks = groups.Select(group =>
        {
            var block = new List<float>(group.Count() * exampleLength);
            foreach (var (_, index) in group)
            {
                block.AddRange(values.AsSpan(index * exampleLength, exampleLength));
            }

            return block.ToArray();
        }).ToArray();
        var names = groups.Select(group => group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new InMemoryDataset(names, blocks, ImageShape(inputs.Shape.Skip(1).ToArray()));
    }

    /// <inheritdoc/>
    public string GetClassName(int classIndex)
    {
        DatasetChecks.ClassIndex(classIndex, classes.Length);
        return names[classIndex];
    }

    /// <inheritdoc/>
    public int GetExampleCount(int classIndex)
    {
        DatasetChecks.ClassIndex(classIndex, classes.Length);
        return classes[classIndex].Length / exampleLength;
    }

    /// <inheritdoc/>
    public void CopyExample(int classIndex, int exampleIndex, Span<float> destination)
    {
        DatasetChecks.ClassIndex(classIndex, classes.Length);
        DatasetChecks.ExampleIndex(exampleIndex, classes[classIndex].Length / exampleLength, classIndex);
        DatasetChecks.Destination(destination.Length, exampleLength);
        classes[classIndex].AsSpan(exampleIndex * exampleLength, exampleLength).CopyTo(destination);
    }

    private static int FirstNonFinite(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int[] ImageShape(int[] shape) => shape.Length == 2 ? [1, shape[0], shape[1]] : shape;
}
