using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// The adapted-state file format (version 1), little-endian: magic "FSADAPT\0"; uint32 format version; the base model's
/// 32-byte SHA-256; uint32 label count, then each label as uint32 byte length + UTF-8; uint32 tensor count, then each
/// tensor as uint32 name length + UTF-8 name, uint32 rank, int64 dimensions, float32 values; finally the SHA-256 of
/// every preceding byte.
/// </summary>
internal static class AdaptedStateFile
{
    public const uint FormatVersion = 1;
    private const int HashBytes = 32;
    private const int MaxLabelBytes = 4096;
    private const int MaxNameBytes = 1024;
    private static readonly byte[] Magic = "FSADAPT\0"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, AdaptedModel model, byte[] baseHash)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        WriteUInt32(buffer, FormatVersion);
        buffer.Write(baseHash);
        WriteUInt32(buffer, (uint)model.Labels.Count);
        foreach (string label in model.Labels)
        {
            WriteString(buffer, label);
        }

        WriteUInt32(buffer, (uint)model.Tensors.Count);
        Span<byte> dim = stackalloc byte[8];
        foreach (AdaptedTensor tensor in model.Tensors)
        {
            WriteString(buffer, tensor.Name);
            WriteUInt32(buffer, (uint)tensor.Dimensions.Length);
            foreach (long d in tensor.Dimensions)
            {
                BinaryPrimitives.WriteInt64LittleEndian(dim, d);
                buffer.Write(dim);
            }

            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Adapted states are little-endian; big-endian hosts are not supported.");
            }

            buffer.Write(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Position = 0;
        buffer.CopyTo(destination);
    }

    /// <summary>Reads an adapted state for <paramref name="model"/>, checking everything the format and the model fix.</summary>
    /// <exception cref="InvalidAdaptedStateException">The bytes are not a valid adapted state of this model.</exception>
    public static (string[] Labels, AdaptedTensor[] Tensors) Read(ReadOnlySpan<byte> data, FewShotModel model)
    {
        if (data.Length < Magic.Length + 4 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidAdaptedStateException($"This is not a FewShot adapted state: it does not start with the magic bytes \"FSADAPT\\0\" ({data.Length} bytes read).");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[Magic.Length..]);
        if (version != FormatVersion)
        {
            throw new InvalidAdaptedStateException($"Adapted state format version {version} is not supported: this runtime reads version {FormatVersion}.");
        }

        int minimum = Magic.Length + 4 + HashBytes + 4 + 4 + HashBytes;
        ReadOnlySpan<byte> body = data[..Math.Max(0, data.Length - HashBytes)];
        if (data.Length < minimum || !SHA256.HashData(body).AsSpan().SequenceEqual(data[^HashBytes..]))
        {
            throw new InvalidAdaptedStateException($"The adapted state is corrupted or truncated: its SHA-256 does not match its contents ({data.Length} bytes).");
        }

        var reader = new StateReader(body);
        reader.ReadBytes(Magic.Length + 4, "header");
        ReadOnlySpan<byte> baseHash = reader.ReadBytes(HashBytes, "base model hash");
        if (!baseHash.SequenceEqual(model.HashBytes))
        {
            throw new InvalidAdaptedStateException(
                $"This adapted state belongs to model {Convert.ToHexStringLower(baseHash)[..12]}, not {model.Hash[..12]}: load it with the bundle it was adapted from.");
        }

        string[] labels = ReadLabels(ref reader, model);
        AdaptedTensor[] tensors = ReadTensors(ref reader, model, labels.Length);
        if (reader.Remaining != 0)
        {
            throw new InvalidAdaptedStateException($"The adapted state has {reader.Remaining} unexpected bytes after its last tensor.");
        }

        return (labels, tensors);
    }

    private static string[] ReadLabels(ref StateReader reader, FewShotModel model)
    {
        uint count = reader.ReadUInt32("label count");
        if (count > reader.Remaining / 4)
        {
            throw new InvalidAdaptedStateException($"The adapted state declares {count} labels, more than its size can hold.");
        }

        var labels = new string[count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = reader.ReadString(MaxLabelBytes, $"label {i}");
            if (!seen.Add(labels[i]))
            {
                throw new InvalidAdaptedStateException($"The adapted state lists label '{labels[i]}' twice.");
            }
        }

        if (model.Manifest.Classes is { } range)
        {
            try
            {
                SupportLabels.CheckCount(labels.Length, range, "the adapted state");
            }
            catch (ArgumentException e)
            {
                throw new InvalidAdaptedStateException(e.Message, e);
            }
        }
        else if (labels.Length != 0)
        {
            throw new InvalidAdaptedStateException($"The adapted state has {labels.Length} labels, but {model.Kind.ToString().ToLowerInvariant()} bundles have none.");
        }

        return labels;
    }

    private static AdaptedTensor[] ReadTensors(ref StateReader reader, FewShotModel model, int classes)
    {
        string[] names = model.StateNames;
        uint count = reader.ReadUInt32("tensor count");
        if (count != names.Length)
        {
            throw new InvalidAdaptedStateException($"The adapted state holds {count} tensors; this model's adapted state has {names.Length} ({string.Join(", ", names)}).");
        }

        var tensors = new AdaptedTensor[names.Length];
        for (int t = 0; t < tensors.Length; t++)
        {
            string name = reader.ReadString(MaxNameBytes, $"tensor {t}'s name");
            int slot = Array.IndexOf(names, name);
            if (slot < 0 || tensors[slot] is not null)
            {
                throw new InvalidAdaptedStateException(slot < 0
                    ? $"The adapted state holds tensor '{name}', which this model does not adapt (it adapts {string.Join(", ", names)})."
                    : $"The adapted state holds tensor '{name}' twice.");
            }

            long[] expected = model.StateShape(slot, classes);
            uint rank = reader.ReadUInt32($"'{name}' rank");
            var shape = new long[Math.Min(rank, 16)];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.ReadInt64($"'{name}' dimensions");
            }

            if (rank != expected.Length || !shape.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidAdaptedStateException(
                    $"The adapted state's '{name}' has shape [{InputChecks.Show(shape)}{(rank > shape.Length ? ", …" : string.Empty)}]; this model expects [{InputChecks.Show(expected)}].");
            }

            long elements = expected.Aggregate(1L, (p, d) => p * d);
            if (elements > reader.Remaining / sizeof(float))
            {
                throw new InvalidAdaptedStateException($"The adapted state ends inside '{name}': {elements} values need {elements * sizeof(float)} bytes, {reader.Remaining} remain.");
            }

            var values = new float[elements];
            reader.ReadFloats(values, $"'{name}' values");
            if (values.Any(v => !float.IsFinite(v)))
            {
                throw new InvalidAdaptedStateException($"The adapted state's '{name}' holds NaN or infinity.");
            }

            tensors[slot] = new AdaptedTensor(name, expected, values);
        }

        return tensors;
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteString(Stream stream, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt32(stream, (uint)bytes.Length);
        stream.Write(bytes);
    }
}
