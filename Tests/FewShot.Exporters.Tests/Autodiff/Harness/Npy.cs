using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff.Harness;

/// <summary>
/// Minimal NumPy .npy (format 1.0, little-endian, C order) reading and writing of float32, float64 and int64 arrays,
/// to exchange tensors with the PyTorch reference script. Exporters tests cannot use the Sdk's data layer.
/// </summary>
internal static partial class Npy
{
    public static void Write(string path, TestTensor tensor)
    {
        var (descr, size) = tensor.Type switch
        {
            DataType.Float => ("<f4", 4),
            DataType.Double => ("<f8", 8),
            DataType.Int64 => ("<i8", 8),
            _ => throw new NotSupportedException($".npy of {tensor.Type}"),
        };
        var shape = tensor.Shape.Length == 1 ? $"({tensor.Shape[0]},)" : $"({string.Join(", ", tensor.Shape)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(((header.Length + 10 + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write([0x93, .. "NUMPY"u8, 1, 0]);
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.ASCII.GetBytes(header));
        foreach (var value in tensor.Values)
        {
            switch (size, tensor.Type)
            {
                case (4, _): writer.Write((float)value); break;
                case (8, DataType.Double): writer.Write(value); break;
                default: writer.Write((long)value); break;
            }
        }
    }

    public static TestTensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path} is not a .npy file");
        }

        var (headerLength, start) = bytes[6] == 1 ? (BitConverter.ToUInt16(bytes, 8), 10) : ((int)BitConverter.ToUInt32(bytes, 8), 12);
        var header = Encoding.ASCII.GetString(bytes, start, headerLength);
        var descr = Descr().Match(header).Groups[1].Value;
        var shape = Shape().Match(header).Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var data = bytes.AsSpan(start + headerLength);
        return descr switch
        {
            "<f4" => new(DataType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray().Select(v => (double)v).ToArray()),
            "<f8" => new(DataType.Double, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data).ToArray()),
            "<i8" => new(DataType.Int64, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data).ToArray().Select(v => (double)v).ToArray()),
            _ => throw new NotSupportedException($"{path}: dtype {descr}"),
        };
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex Shape();
}
