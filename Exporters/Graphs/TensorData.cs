using System.Runtime.InteropServices;
using FewShot.Exporters.Onnx;
using Google.Protobuf;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Graphs;

/// <summary>
/// Builds <see cref="TensorProto"/> values (initializers, constants) and reads them back.
/// Data is stored little-endian in <c>raw_data</c>, as the ONNX specification requires for raw data.
/// </summary>
public static class TensorData
{
    /// <summary>A float32 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static TensorProto Float(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values) =>
        Create(name, DataType.Float, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>A float64 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static TensorProto Double(string name, ReadOnlySpan<long> dims, ReadOnlySpan<double> values) =>
        Create(name, DataType.Double, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>An int64 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static TensorProto Int64(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values) =>
        Create(name, DataType.Int64, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>A bool tensor holding a copy of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static TensorProto Bool(string name, ReadOnlySpan<long> dims, ReadOnlySpan<bool> values) =>
        Create(name, DataType.Bool, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>A scalar (rank 0) of the given floating-point or integer type holding <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The type is not float32, float64 or int64.</exception>
    public static TensorProto Scalar(string name, DataType type, double value) => type switch
    {
        DataType.Float => Float(name, [], [(float)value]),
        DataType.Double => Double(name, [], [value]),
        DataType.Int64 => Int64(name, [], [checked((long)value)]),
        _ => throw new ArgumentException($"scalars of type {type} are not supported; expected Float, Double or Int64", nameof(type)),
    };

    /// <summary>The number of elements of a tensor of the given dimensions (1 for a scalar).</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static long ElementCount(ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"tensor dimension {dim} is negative", nameof(dims));
            }

            count = checked(count * dim);
        }

        return count;
    }

    /// <summary>The values of a float32 tensor, from <c>raw_data</c> or <c>float_data</c>.</summary>
    /// <exception cref="InvalidDataException">The tensor is not float32, or its data does not match its shape.</exception>
    public static float[] ToFloats(TensorProto tensor) =>
        Read<float>(tensor, DataType.Float, t => t.FloatData.ToArray());

    /// <summary>The values of a float64 tensor, from <c>raw_data</c> or <c>double_data</c>.</summary>
    /// <exception cref="InvalidDataException">The tensor is not float64, or its data does not match its shape.</exception>
    public static double[] ToDoubles(TensorProto tensor) =>
        Read<double>(tensor, DataType.Double, t => t.DoubleData.ToArray());

    /// <summary>The values of an int64 tensor, from <c>raw_data</c> or <c>int64_data</c>.</summary>
    /// <exception cref="InvalidDataException">The tensor is not int64, or its data does not match its shape.</exception>
    public static long[] ToInt64s(TensorProto tensor) =>
        Read<long>(tensor, DataType.Int64, t => t.Int64Data.ToArray());

    private static TensorProto Create(string name, DataType type, ReadOnlySpan<long> dims, ReadOnlySpan<byte> bytes, int count)
    {
        var expected = ElementCount(dims);
        if (expected != count)
        {
            throw new ArgumentException($"tensor '{name}' of shape [{string.Join(", ", dims.ToArray())}] needs {expected} values but {count} were given");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; big-endian hosts are not supported");
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims.ToArray());
        return tensor;
    }

    private static T[] Read<T>(TensorProto tensor, DataType type, Func<TensorProto, T[]> typedField)
        where T : unmanaged
    {
        if (tensor.DataType != (int)type)
        {
            throw new InvalidDataException($"tensor '{tensor.Name}' has data type {(DataType)tensor.DataType}, expected {type}");
        }

        long count;
        try
        {
            count = ElementCount(tensor.Dims.ToArray());
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"tensor '{tensor.Name}' has invalid dimensions [{string.Join(", ", tensor.Dims)}]", ex);
        }

        var values = tensor.HasRawData ? MemoryMarshal.Cast<byte, T>(tensor.RawData.Span).ToArray() : typedField(tensor);
        if (values.LongLength != count || (tensor.HasRawData && tensor.RawData.Length != count * Marshal.SizeOf<T>()))
        {
            throw new InvalidDataException($"tensor '{tensor.Name}' of shape [{string.Join(", ", tensor.Dims)}] holds {values.LongLength} values, expected {count}");
        }

        return values;
    }
}
