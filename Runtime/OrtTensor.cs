using System.Runtime.CompilerServices;
using FewShot.Runtime.Interop;

namespace FewShot.Runtime;

/// <summary>
/// A tensor that ONNX Runtime can read and write (an <c>OrtValue</c>): float, double, long or bool elements in
/// row-major order, any rank including 0 (a scalar).
/// </summary>
/// <remarks>
/// <para>
/// Three ways to make one: <see cref="FromArray{T}(T[], ReadOnlySpan{long})"/> and <see cref="FromMemory{T}"/> share the
/// caller's managed memory without copying; <see cref="CopyFrom{T}"/> copies into memory from ORT's allocator;
/// <see cref="Allocate{T}"/> allocates zeroed memory with ORT's allocator. Run outputs are tensors, too.
/// </para>
/// <para>
/// The caller owns a tensor and must dispose it; disposing frees the native value and unpins shared managed memory.
/// Dispose is idempotent and never throws. Reading properties and spans from several threads is safe; writing the
/// data while a run reads it, or disposing while another thread uses the tensor, is not.
/// </para>
/// </remarks>
public sealed unsafe class OrtTensor : IDisposable
{
    private readonly ValueHandle _handle;
    private readonly long[] _shape;
    private readonly void* _data;
    private int _disposed;

    private OrtTensor(ValueHandle handle, TensorElementType elementType, long[] shape, long elementCount)
    {
        _handle = handle;
        ElementType = elementType;
        _shape = shape;
        ElementCount = elementCount;
        _data = handle.GetData();
    }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions; empty for a scalar. Valid for the life of the tensor (and after, the values do not change).</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>The number of dimensions; 0 for a scalar.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements: the product of the dimensions, 1 for a scalar.</summary>
    public long ElementCount { get; }

    internal ValueHandle Handle => _handle;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A tensor over <paramref name="data"/> itself, without copying.</summary>
    /// <remarks>
    /// The array stays pinned until the tensor is disposed. The tensor and the array share memory: writes to either are
    /// seen by the other (reusing one input tensor across runs by rewriting its array is intended), so do not put the
    /// array to another use while the tensor lives. Replacing the array (e.g. Array.Resize) leaves the tensor on the old one.
    /// </remarks>
    /// <param name="data">The elements, row-major; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, none for a scalar; copied.</param>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static OrtTensor FromArray<T>(T[] data, params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMemory(data.AsMemory(), shape);
    }

    /// <summary>A tensor over <paramref name="data"/> itself, without copying; the memory stays pinned until the tensor is disposed.</summary>
    /// <remarks>The same sharing rules as <see cref="FromArray{T}(T[], ReadOnlySpan{long})"/> apply to the memory's owner.</remarks>
    /// <param name="data">The elements, row-major; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, none for a scalar; copied.</param>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static OrtTensor FromMemory<T>(Memory<T> data, params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        TensorElementType type = ElementTypes.Of<T>();
        long count = CountElements(shape);
        ThrowIfLengthMismatch(data.Length, count, shape);
        var handle = new ValueHandle(data.Pin(), (nuint)data.Length * (nuint)sizeof(T), shape, type);
        return Wrap(handle, type, shape.ToArray(), count);
    }

    /// <summary>A tensor in memory from ORT's allocator, holding a copy of <paramref name="data"/>.</summary>
    /// <param name="data">The elements, row-major; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, none for a scalar; copied.</param>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static OrtTensor CopyFrom<T>(ReadOnlySpan<T> data, params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        TensorElementType type = ElementTypes.Of<T>();
        long count = CountElements(shape);
        ThrowIfLengthMismatch(data.Length, count, shape);
        OrtTensor tensor = Wrap(new ValueHandle(shape, type), type, shape.ToArray(), count);
        try
        {
            data.CopyTo(tensor.GetSpan<T>());
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>A zero-filled tensor in memory from ORT's allocator, e.g. for an output that a run writes into.</summary>
    /// <param name="shape">The dimensions, none for a scalar; copied.</param>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static OrtTensor Allocate<T>(params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        TensorElementType type = ElementTypes.Of<T>();
        long count = CountElements(shape);
        OrtTensor tensor = Wrap(new ValueHandle(shape, type), type, shape.ToArray(), count);
        try
        {
            tensor.GetSpan<T>().Clear();
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>, in memory from ORT's allocator.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static OrtTensor Scalar<T>(T value)
        where T : unmanaged => CopyFrom(new ReadOnlySpan<T>(in value));

    /// <summary>The elements, row-major, as a span over the tensor's own memory (native, or the shared managed array).</summary>
    /// <remarks>
    /// No copy: writes change the tensor. The span is valid only until the tensor is disposed; using it afterwards
    /// reads or writes freed memory. Do not keep it beyond the tensor's lifetime, and do not write while a run reads the tensor.
    /// </remarks>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match <see cref="ElementType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The tensor has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The tensor has more elements than a span can hold.</exception>
    public Span<T> GetSpan<T>()
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ThrowIfTypeMismatch<T>();
        if (ElementCount > int.MaxValue)
        {
            throw new InvalidOperationException($"The tensor has {ElementCount} elements, more than a span can hold ({int.MaxValue}).");
        }

        return new Span<T>(_data, (int)ElementCount);
    }

    /// <summary>A fresh managed copy of the elements, row-major.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match <see cref="ElementType"/>.</exception>
    /// <exception cref="ObjectDisposedException">The tensor has been disposed.</exception>
    public T[] ToArray<T>()
        where T : unmanaged => GetSpan<T>().ToArray();

    /// <summary>Releases the native value and unpins shared managed memory. Idempotent; never throws.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _handle.Dispose();
        }
    }

    /// <summary>For example "OrtTensor Float[2, 3]".</summary>
    public override string ToString() => $"OrtTensor {ElementType}[{string.Join(", ", _shape)}]";

    /// <summary>Wraps a value that a run produced; the tensor takes ownership of <paramref name="handle"/>.</summary>
    internal static OrtTensor FromRunOutput(ValueHandle handle)
    {
        try
        {
            using var info = new TensorTypeAndShapeInfoHandle(handle);
            long[] shape = info.GetDimensions();
            return Wrap(handle, info.ElementType, shape, CountElements(shape));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static OrtTensor Wrap(ValueHandle handle, TensorElementType type, long[] shape, long count)
    {
        try
        {
            return new OrtTensor(handle, type, shape, count);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static long CountElements(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Tensor shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.", nameof(shape));
            }

            count = checked(count * dimension);
        }

        return count;
    }

    private static void ThrowIfLengthMismatch(int length, long count, ReadOnlySpan<long> shape)
    {
        if (length != count)
        {
            throw new ArgumentException(
                $"Tensor shape [{string.Join(", ", shape.ToArray())}] needs {count} elements, but the data has {length}.", "data");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfTypeMismatch<T>()
        where T : unmanaged
    {
        TensorElementType requested = ElementTypes.Of<T>();
        if (requested != ElementType)
        {
            throw new ArgumentException(
                $"The tensor holds {ElementType} elements ({ElementTypes.ClrName(ElementType)}), but {typeof(T).Name} ({requested}) was requested.",
                nameof(T));
        }
    }
}
