using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// The adapted-state file format, little-endian: magic "FSADAPT\0"; uint32 format version; the base model's 32-byte
/// SHA-256; version 2 only: the owner id as uint32 byte length + UTF-8; uint32 label count, then each label as uint32
/// byte length + UTF-8; the tensors in the format's one tensor-set encoding (<see cref="TensorSet"/>, as in a bundle's
/// parameters.bin); finally 32 bytes over every preceding byte: version 1 (unsigned) their SHA-256, which catches
/// corruption; version 2 (signed) their HMAC-SHA256 under the app's key, which also catches edits, a state moved to
/// another owner, and a state made with another key.
/// </summary>
internal static class AdaptedStateFile
{
    public const uint FormatVersion = 1;
    public const uint SignedFormatVersion = 2;
    private const int HashBytes = 32;
    private const int MaxLabelBytes = 4096;
    private static readonly byte[] Magic = "FSADAPT\0"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives the file's bytes.</param>
    /// <param name="model">The adapted model.</param>
    /// <param name="baseHash">The base model's hash.</param>
    /// <param name="signingKey">The app's HMAC key, or null for an unsigned (version 1) state.</param>
    /// <param name="owner">The owner id a signed state is bound to; ignored when unsigned.</param>
    public static void Write(Stream destination, AdaptedModel model, byte[] baseHash, byte[]? signingKey, string owner)
    {
        NamedTensor[] tensors = [.. model.Tensors.Select(t => new NamedTensor(t.Name, t.Dimensions, t.Data))];
        // Sized once: growing by doubling copied the tensors two or three times into fresh memory (a conv4 state: 450 KB).
        long labelBytes = model.Labels.Sum(label => 4L + Encoding.UTF8.GetByteCount(label));
        long ownerBytes = signingKey is null ? 0 : 4L + Encoding.UTF8.GetByteCount(owner);
        using var buffer = new MemoryStream(checked((int)(Magic.Length + 4 + baseHash.Length + ownerBytes + 4 + labelBytes + TensorSet.EncodedLength(tensors) + HashBytes)));
        buffer.Write(Magic);
        WriteUInt32(buffer, signingKey is null ? FormatVersion : SignedFormatVersion);
        buffer.Write(baseHash);
        if (signingKey is not null)
        {
            WriteString(buffer, owner);
        }

        WriteUInt32(buffer, (uint)model.Labels.Count);
        foreach (string label in model.Labels)
        {
            WriteString(buffer, label);
        }

        TensorSet.Write(buffer, tensors);
        ReadOnlySpan<byte> content = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        buffer.Write(signingKey is null ? Digests.Sha256(content) : Digests.HmacSha256(signingKey, content));
        buffer.Position = 0;
        buffer.CopyTo(destination);
    }

    /// <summary>Reads an adapted state for <paramref name="model"/>, checking everything the format and the model fix.</summary>
    /// <exception cref="InvalidAdaptedStateException">The bytes are not a valid adapted state of this model.</exception>
    /// <param name="data">The file's bytes.</param>
    /// <param name="model">The base model.</param>
    /// <param name="signingKey">The app's HMAC key: states must then be signed with it; null to read unsigned states only.</param>
    /// <param name="owner">The owner id a signed state must be bound to.</param>
    public static (string[] Labels, AdaptedTensor[] Tensors) Read(ReadOnlySpan<byte> data, FewShotModel model, byte[]? signingKey, string owner)
    {
        if (data.Length < Magic.Length + 4 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidAdaptedStateException($"This is not a FewShot adapted state: it does not start with the magic bytes \"FSADAPT\\0\" ({Counted.Of(data.Length, "byte", "bytes")} read).");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[Magic.Length..]);
        if (version is not (FormatVersion or SignedFormatVersion))
        {
            throw new InvalidAdaptedStateException($"Adapted state format version {version} is not supported: this runtime reads versions {FormatVersion} and {SignedFormatVersion}.");
        }

        bool signed = version == SignedFormatVersion;
        if (signed != signingKey is not null)
        {
            throw new InvalidAdaptedStateException(signed
                ? "This adapted state is signed, but the model has no RuntimeOptions.StateSigningKey to check it with; load it with the key it was saved under."
                : "This adapted state is not signed, and a model with RuntimeOptions.StateSigningKey set reads signed states only, with "
                    + "or without an owner; it is refused. Adapt again to make a signed one, or read it with a model loaded without the key.");
        }

        int minimum = Magic.Length + 4 + HashBytes + 4 + 4 + HashBytes;
        ReadOnlySpan<byte> body = data[..Math.Max(0, data.Length - HashBytes)];
        if (data.Length < minimum)
        {
            throw new InvalidAdaptedStateException($"The adapted state is truncated: {Counted.Of(data.Length, "byte", "bytes")} cannot hold a state.");
        }

        if (signed)
        {
            if (!CryptographicOperations.FixedTimeEquals(Digests.HmacSha256(signingKey!, body), data[^HashBytes..]))
            {
                throw new InvalidAdaptedStateException("The adapted state's signature does not match: it was edited, corrupted or truncated, or signed with another key. It is refused.");
            }
        }
        else if (!Digests.Sha256(body).AsSpan().SequenceEqual(data[^HashBytes..]))
        {
            throw new InvalidAdaptedStateException($"The adapted state is corrupted or truncated: its SHA-256 does not match its contents ({Counted.Of(data.Length, "byte", "bytes")}).");
        }

        var reader = new StateReader(body);
        reader.ReadBytes(Magic.Length + 4, "header");
        ReadOnlySpan<byte> baseHash = reader.ReadBytes(HashBytes, "base model hash");
        if (!baseHash.SequenceEqual(model.HashBytes))
        {
            throw new InvalidAdaptedStateException(
                $"This adapted state belongs to model {Convert.ToHexStringLower(baseHash)[..12]}, not {model.Hash[..12]}: load it with the bundle it was adapted from.");
        }

        if (signed)
        {
            string stored = reader.ReadString(MaxLabelBytes, "owner id");
            if (!string.Equals(stored, owner, StringComparison.Ordinal))
            {
                throw new InvalidAdaptedStateException(OwnerMismatch(stored, owner));
            }
        }

        string[] labels = ReadLabels(ref reader, model);
        AdaptedTensor[] tensors = ReadTensors(ref reader, body, model, labels.Length);
        if (reader.Remaining != 0)
        {
            throw new InvalidAdaptedStateException($"The adapted state has {reader.Remaining} unexpected bytes after its last tensor.");
        }

        return (labels, tensors);
    }

    /// <summary>Why a signed state of owner <paramref name="stored"/> is refused to <paramref name="owner"/>; an empty id is no owner (Save without one).</summary>
    private static string OwnerMismatch(string stored, string owner) =>
        (stored.Length, owner.Length) switch
        {
            (0, _) => $"This adapted state is signed but bound to no owner (saved without an owner id), not to owner '{owner}'; it is refused. "
                + "Load it without an owner, or save it with the owner's id.",
            (_, 0) => $"This adapted state belongs to owner '{stored}', and no owner id was given; it is refused. Load it with its owner's id.",
            _ => $"This adapted state belongs to owner '{stored}', not '{owner}'; it is refused.",
        };

    private static string[] ReadLabels(ref StateReader reader, FewShotModel model)
    {
        uint count = reader.ReadUInt32("label count");
        if (count > reader.Remaining / 4)
        {
            throw new InvalidAdaptedStateException($"The adapted state declares {Counted.Of(count, "label", "labels")}, more than its size can hold.");
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
            throw new InvalidAdaptedStateException($"The adapted state has {Counted.Of(labels.Length, "label", "labels")}, but {model.Kind.ToString().ToLowerInvariant()} bundles have none.");
        }

        return labels;
    }

    private static AdaptedTensor[] ReadTensors(ref StateReader reader, ReadOnlySpan<byte> body, FewShotModel model, int classes)
    {
        // One codec for every tensor file of the format (FewShot.Bundles.TensorSet); this file adds the model's expectations.
        int position = reader.Position;
        NamedTensor[] stored;
        try
        {
            stored = TensorSet.Read(body, ref position, "adapted state");
        }
        catch (BundleFormatException e)
        {
            throw new InvalidAdaptedStateException(e.Message, e);
        }

        reader.ReadBytes(position - reader.Position, "tensors");
        string[] names = model.StateNames;
        if (stored.Length != names.Length)
        {
            throw new InvalidAdaptedStateException($"The adapted state holds {Counted.Of(stored.Length, "tensor", "tensors")}; this model's adapted state has {names.Length} ({string.Join(", ", names)}).");
        }

        var tensors = new AdaptedTensor[names.Length];
        foreach (NamedTensor tensor in stored)
        {
            int slot = Array.IndexOf(names, tensor.Name);
            if (slot < 0 || tensors[slot] is not null)
            {
                throw new InvalidAdaptedStateException(slot < 0
                    ? $"The adapted state holds tensor '{tensor.Name}', which this model does not adapt (it adapts {string.Join(", ", names)})."
                    : $"The adapted state holds tensor '{tensor.Name}' twice.");
            }

            long[] expected = model.StateShape(slot, classes, tensor.Shape);
            if (!tensor.Shape.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidAdaptedStateException(
                    $"The adapted state's '{tensor.Name}' has shape [{InputChecks.Show(tensor.Shape)}]; this model expects [{InputChecks.Show(expected)}].");
            }

            tensors[slot] = new AdaptedTensor(tensor.Name, expected, tensor.Values);
        }

        if (model.PerExamplePrototypes)
        {
            CheckPrototypeLabels(tensors[0], tensors[1], classes);
        }

        return tensors;
    }

    // Each prototype row's class must be a whole number naming one of the state's labels, and every label must have a row.
    private static void CheckPrototypeLabels(AdaptedTensor prototypes, AdaptedTensor labels, int classes)
    {
        if (labels.Dimensions[0] != prototypes.Dimensions[0])
        {
            throw new InvalidAdaptedStateException(
                $"The adapted state has {prototypes.Dimensions[0]} prototype rows but {labels.Dimensions[0]} '{BundleNames.PrototypeLabels}'; there is one per row.");
        }

        var seen = new bool[classes];
        foreach (float label in labels.Data)
        {
            if (label < 0 || label >= classes || label != MathF.Floor(label))
            {
                throw new InvalidAdaptedStateException(
                    $"The adapted state's '{BundleNames.PrototypeLabels}' holds {label}; each must be a class index 0..{classes - 1} (the state has {Counted.Of(classes, "label", "labels")}).");
            }

            seen[(int)label] = true;
        }

        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
        {
            throw new InvalidAdaptedStateException($"The adapted state's class {missing} has no prototype row in '{BundleNames.PrototypeLabels}'.");
        }
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
