using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using FewShot.Bundles;

namespace FewShot.Runtime.Sessions;

/// <summary>
/// Rewrites a serialized ONNX model so that graph inputs which every run feeds the same value become initializers of that
/// value. ONNX Runtime converts a convolution to its NCHWc kernels and prepacks weights only when they are constant
/// initializers; fed as inputs, a ProtoNets bundle's 25-image adaptation ran 1.44–1.48× and its 75-query prediction
/// 1.31–1.33× slower (benchmarks/frozen-theta.sh). Works on protobuf's wire format (ModelProto field 7 is the graph,
/// GraphProto field 11 its inputs and field 5 its initializers; a ValueInfoProto's field 1 is its name; a TensorProto
/// holds dims in field 1, the element type in 2, the name in 8 and the little-endian values in 9), because this one
/// narrow edit does not justify an ONNX protobuf library in the runtime an edge app ships. Stateless and thread-safe.
/// </summary>
internal static class ConstantInputs
{
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int ValueInfoName = 1;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int FloatType = 1;
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;
    private const ulong MaxFieldNumber = (1 << 29) - 1;

    /// <summary>
    /// The model with each graph input named in <paramref name="constants"/> turned into an initializer holding its values,
    /// and the names that were turned (inputs the graph does not have are skipped). A model this reader cannot walk is
    /// returned unchanged with no names, for ONNX Runtime to judge as it stands.
    /// </summary>
    public static (byte[] Model, IReadOnlySet<string> Turned) Freeze(byte[] model, IReadOnlyDictionary<string, NamedTensor> constants)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(constants);
        var turned = new HashSet<string>(StringComparer.Ordinal);
        if (constants.Count == 0)
        {
            return (model, turned);
        }

        try
        {
            using var output = new MemoryStream(model.Length);
            bool graphSeen = false;
            foreach (Field field in Fields(model))
            {
                if (field.Number == ModelGraph && field.WireType == LengthDelimited && !graphSeen)
                {
                    graphSeen = true;
                    byte[] graph = FreezeGraph(model.AsMemory(field.ValueStart, field.ValueLength), constants, turned);
                    WriteTag(output, ModelGraph, LengthDelimited);
                    WriteVarint(output, (ulong)graph.Length);
                    output.Write(graph);
                }
                else
                {
                    output.Write(model, field.Start, field.End - field.Start);
                }
            }

            return turned.Count == 0 ? (model, turned) : (output.ToArray(), turned);
        }
        catch (InvalidDataException)
        {
            return (model, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    private static byte[] FreezeGraph(ReadOnlyMemory<byte> graph, IReadOnlyDictionary<string, NamedTensor> constants, HashSet<string> turned)
    {
        using var output = new MemoryStream(graph.Length);
        foreach (Field field in Fields(graph))
        {
            if (field.Number == GraphInput && field.WireType == LengthDelimited
                && NameOf(graph.Slice(field.ValueStart, field.ValueLength), ValueInfoName) is { } name
                && constants.ContainsKey(name) && turned.Add(name))
            {
                continue;
            }

            output.Write(graph.Span[field.Start..field.End]);
        }

        foreach (string name in turned)
        {
            byte[] tensor = Tensor(constants[name]);
            WriteTag(output, GraphInitializer, LengthDelimited);
            WriteVarint(output, (ulong)tensor.Length);
            output.Write(tensor);
        }

        return output.ToArray();
    }

    private static byte[] Tensor(NamedTensor tensor)
    {
        using var output = new MemoryStream((tensor.Values.Length * 4) + 64);
        foreach (long dim in tensor.Shape)
        {
            WriteTag(output, TensorDims, Varint);
            WriteVarint(output, unchecked((ulong)dim));
        }

        WriteTag(output, TensorDataType, Varint);
        WriteVarint(output, FloatType);
        byte[] name = Encoding.UTF8.GetBytes(tensor.Name);
        WriteTag(output, TensorName, LengthDelimited);
        WriteVarint(output, (ulong)name.Length);
        output.Write(name);
        ReadOnlySpan<byte> values = MemoryMarshal.AsBytes(tensor.Values.AsSpan());
        WriteTag(output, TensorRawData, LengthDelimited);
        WriteVarint(output, (ulong)values.Length);
        if (BitConverter.IsLittleEndian)
        {
            output.Write(values);
        }
        else
        {
            Span<byte> word = stackalloc byte[4];
            foreach (float value in tensor.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(word, value);
                output.Write(word);
            }
        }

        return output.ToArray();
    }

    // The string in the first field of that number, or null.
    private static string? NameOf(ReadOnlyMemory<byte> message, int number)
    {
        foreach (Field field in Fields(message))
        {
            if (field.Number == number && field.WireType == LengthDelimited)
            {
                return Encoding.UTF8.GetString(message.Span.Slice(field.ValueStart, field.ValueLength));
            }
        }

        return null;
    }

    /// <summary>One field of a message: where it starts (its tag), where its value starts and ends, relative to the message.</summary>
    private readonly record struct Field(int Number, int WireType, int Start, int ValueStart, int ValueLength, int End);

    /// <exception cref="InvalidDataException">The bytes are not a sequence of well-formed fields.</exception>
    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        int position = 0;
        while (position < message.Length)
        {
            int start = position;
            ulong tag = ReadVarint(message.Span, ref position);
            if (tag >> 3 is 0 or > MaxFieldNumber)
            {
                throw new InvalidDataException($"field number {tag >> 3}");
            }

            int number = (int)(tag >> 3);
            int wireType = (int)(tag & 7);

            int valueStart = position;
            int length = wireType switch
            {
                Varint => SkipVarint(message.Span, position),
                Fixed64 => 8,
                LengthDelimited => LengthAt(message.Span, ref position, out valueStart),
                Fixed32 => 4,
                _ => throw new InvalidDataException($"wire type {wireType}"),
            };
            if (length < 0 || valueStart + (long)length > message.Length)
            {
                throw new InvalidDataException("a field runs past the end of its message");
            }

            position = valueStart + length;
            yield return new Field(number, wireType, start, valueStart, length, position);
        }
    }

    private static int LengthAt(ReadOnlySpan<byte> message, ref int position, out int valueStart)
    {
        ulong length = ReadVarint(message, ref position);
        valueStart = position;
        return length > int.MaxValue ? throw new InvalidDataException("a length beyond 2 GiB") : (int)length;
    }

    private static int SkipVarint(ReadOnlySpan<byte> message, int position)
    {
        int start = position;
        _ = ReadVarint(message, ref position);
        return position - start;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> message, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= message.Length)
            {
                throw new InvalidDataException("a varint runs past the end of its message");
            }

            byte b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint longer than ten bytes");
    }

    private static void WriteTag(Stream output, int number, int wireType) => WriteVarint(output, ((ulong)number << 3) | (uint)wireType);

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
