namespace FewShot.Sdk.Data;

/// <summary>Argument checks shared by the dataset implementations, so that their messages agree.</summary>
internal static class DatasetChecks
{
    public static int ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim <= 0)
            {
                throw new ArgumentException($"example shape ({string.Join(", ", shape)}) has a dimension {dim}; every dimension must be positive");
            }

            count *= dim;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"example shape ({string.Join(", ", shape)}) is too large for one array");
            }
        }

        return (int)count;
    }

    public static void ClassIndex(int classIndex, int classCount)
    {
        if ((uint)classIndex >= (uint)classCount)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"class index must be in [0, {classCount})");
        }
    }

    public static void ExampleIndex(int exampleIndex, int exampleCount, int classIndex)
    {
        if ((uint)exampleIndex >= (uint)exampleCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(exampleIndex), exampleIndex, $"class {classIndex} has {exampleCount} examples; example index must be in [0, {exampleCount})");
        }
    }

    public static void Destination(int length, int exampleLength)
    {
        if (length != exampleLength)
        {
            throw new ArgumentException($"destination holds {length} values, but an example has {exampleLength}", "destination");
        }
    }
}
