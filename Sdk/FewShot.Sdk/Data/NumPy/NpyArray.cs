namespace FewShot.Sdk.Data;

/// <summary>
/// An n-dimensional array in C (row-major) order, as read from or written to an .npy file: a shape, an element
/// type and one flat .NET array of elements.
/// </summary>
/// <remarks>
/// The array wraps its element buffer without copying: <see cref="Create(float[], ReadOnlySpan{int})"/> and its
/// overloads take ownership of the buffer passed in, and <see cref="AsSpan{T}"/> exposes it. Conversions such as
/// <see cref="ToFloat32"/> return fresh arrays owned by the caller. Reading from several threads is safe.
/// </remarks>
public sealed class NpyArray
{
    private readonly Array data;
    private readonly int[] shape;

    private NpyArray(Array data, NpyDType dtype, ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));

            // Clamped, not checked: a later zero dimension can still make a huge product empty.
            count = Math.Min(count * dim, (long)Array.MaxLength + 1);
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"shape ({string.Join(", ", shape.ToArray())}) holds {count} elements but the data has {data.Length}", nameof(shape));
        }

        this.data = data;
        this.shape = shape.ToArray();
        DType = dtype;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The shape in C order; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length => data.Length;

    /// <summary>Wraps <paramref name="data"/> (not copied) as a float32 array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(float[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.Float32, shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as a float64 array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(double[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.Float64, shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as an int64 array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(long[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.Int64, shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as an int32 array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(int[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.Int32, shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as a uint8 array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(byte[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.UInt8, shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as a bool array of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NpyArray Create(bool[] data, params ReadOnlySpan<int> shape) => new(Checked(data), NpyDType.Bool, shape);

    /// <summary>
    /// The elements themselves, without copying. <typeparamref name="T"/> must be the element type of
    /// <see cref="DType"/> (see <see cref="NpyDType"/>). The span stays valid as long as this array is alive.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type.</exception>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged =>
        data is T[] typed
            ? typed
            : throw new InvalidOperationException(
                $"array holds {DType} ({NpyDTypes.ElementType(DType).Name}) elements, not {typeof(T).Name}; use a To... conversion");

    /// <summary>Returns a fresh float32 copy; bools become 1 and 0, wider types are rounded to nearest.</summary>
    public float[] ToFloat32() => data switch
    {
        float[] a => (float[])a.Clone(),
        double[] a => Array.ConvertAll(a, v => (float)v),
        long[] a => Array.ConvertAll(a, v => (float)v),
        int[] a => Array.ConvertAll(a, v => (float)v),
        byte[] a => Array.ConvertAll(a, v => (float)v),
        bool[] a => Array.ConvertAll(a, v => v ? 1f : 0f),
        _ => throw Unreachable(),
    };

    /// <summary>Returns a fresh float64 copy; bools become 1 and 0. Every supported type converts exactly except int64 beyond 2^53.</summary>
    public double[] ToFloat64() => data switch
    {
        float[] a => Array.ConvertAll(a, v => (double)v),
        double[] a => (double[])a.Clone(),
        long[] a => Array.ConvertAll(a, v => (double)v),
        int[] a => Array.ConvertAll(a, v => (double)v),
        byte[] a => Array.ConvertAll(a, v => (double)v),
        bool[] a => Array.ConvertAll(a, v => v ? 1.0 : 0.0),
        _ => throw Unreachable(),
    };

    /// <summary>Returns a fresh int64 copy of an integer or bool array.</summary>
    /// <exception cref="InvalidOperationException">The array holds floating-point elements, whose conversion would lose data silently.</exception>
    public long[] ToInt64() => data switch
    {
        long[] a => (long[])a.Clone(),
        int[] a => Array.ConvertAll(a, v => (long)v),
        byte[] a => Array.ConvertAll(a, v => (long)v),
        bool[] a => Array.ConvertAll(a, v => v ? 1L : 0L),
        _ => throw new InvalidOperationException($"array holds {DType} elements; only integer and bool arrays convert to int64"),
    };

    /// <summary>Wraps a buffer that the reader has already validated against the header.</summary>
    internal static NpyArray FromReader(Array data, NpyDType dtype, IReadOnlyList<int> shape) =>
        new(data, dtype, shape.ToArray());

    /// <summary>The raw element buffer, for the writer.</summary>
    internal Array RawData => data;

    private static Array Checked(Array data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data;
    }

    private InvalidOperationException Unreachable() => new($"array holds an unexpected element buffer {data.GetType().Name}");
}
