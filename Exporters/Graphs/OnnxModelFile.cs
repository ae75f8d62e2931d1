using FewShot.Bundles;
using FewShot.Exporters.Onnx;
using Google.Protobuf;

namespace FewShot.Exporters.Graphs;

/// <summary>Serializes ONNX models to bytes and files, and parses them back.</summary>
public static class OnnxModelFile
{
    /// <summary>The model's protobuf bytes.</summary>
    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically: a temporary file beside it, then a rename.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.WriteAllBytes(path, model.ToByteArray());
    }

    /// <summary>Parses model bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid ONNX model.</exception>
    public static ModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"not a valid ONNX model: {ex.Message}", ex);
        }
    }

    /// <summary>Reads and parses a model file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
    public static ModelProto Load(string path) => Parse(File.ReadAllBytes(path));
}
