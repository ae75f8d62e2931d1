using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using FewShot.Bundles;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Bundles;

/// <summary>Reads single entries back out of a bundle, checked against the SHA-256 its manifest records.</summary>
/// <remarks>
/// For tools (the CLI's export, tests); applications load bundles with FewShot.Runtime's <c>FewShotModel</c>, which checks
/// the whole bundle. Entry sizes are capped, so a hostile archive cannot make this read without bound. Thread-safe.
/// </remarks>
public static class BundleFile
{
    /// <summary>The largest entry read: 1 GiB.</summary>
    public const long MaxEntryBytes = 1L << 30;

    private const long MaxManifestBytes = 1L << 20;

    /// <summary>The bytes of <paramref name="entryName"/> (e.g. "predict.onnx") in the bundle at <paramref name="bundlePath"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable bundle, lacks the entry, or the entry's hash differs from the manifest's.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="bundlePath"/>.</exception>
    public static byte[] ReadEntry(string bundlePath, string entryName)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        using FileStream stream = File.OpenRead(bundlePath);
        return ReadEntry(stream, entryName);
    }

    /// <summary>The bytes of <paramref name="entryName"/> in the bundle read from <paramref name="bundle"/>, which stays open.</summary>
    /// <exception cref="InvalidDataException">The stream is not a readable bundle, lacks the entry, or the entry's hash differs from the manifest's.</exception>
    public static byte[] ReadEntry(Stream bundle, string entryName)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentException.ThrowIfNullOrEmpty(entryName);
        using ZipArchive zip = Guard(() => new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true));
        byte[] manifest = Read(zip, BundleNames.ManifestEntry, MaxManifestBytes);
        byte[] bytes = Read(zip, entryName, MaxEntryBytes);
        if (entryName == BundleNames.ManifestEntry)
        {
            return bytes;
        }

        string expected = Guard(() => RecordedHash(manifest, entryName));
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == expected
            ? bytes
            : throw new InvalidDataException($"bundle entry '{entryName}' has SHA-256 {actual}, but the manifest records {expected}: the entry was altered or corrupted");
    }

    /// <summary>θ₀ from the bundle's parameters.bin (hash-checked), as float tensors in manifest order.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable format-2 bundle, or parameters.bin is damaged.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="bundlePath"/>.</exception>
    public static IReadOnlyList<TensorProto> ReadParameters(string bundlePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        using FileStream stream = File.OpenRead(bundlePath);
        return ReadParameters(stream);
    }

    /// <summary>θ₀ from the parameters.bin of the bundle read from <paramref name="bundle"/>, which stays open.</summary>
    /// <exception cref="InvalidDataException">The stream is not a readable format-2 bundle, or parameters.bin is damaged.</exception>
    public static IReadOnlyList<TensorProto> ReadParameters(Stream bundle)
    {
        byte[] bytes = ReadEntry(bundle, BundleNames.ParametersEntry);
        try
        {
            return [.. TensorSet.DecodeFile(bytes, BundleNames.ParametersEntry, BundleNames.ParametersEntry)
                .Select(t => Graphs.TensorData.Float(t.Name, t.Shape, t.Values))];
        }
        catch (BundleFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    // The zip and JSON readers' own failures on bad bytes, reworded to say what was being read.
    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"not a readable FewShot bundle: {e.Message}", e);
        }
    }

    private static byte[] Read(ZipArchive zip, string name, long cap)
    {
        ZipArchiveEntry[] matches = [.. zip.Entries.Where(e => e.FullName == name)];
        if (matches.Length != 1)
        {
            throw new InvalidDataException(matches.Length == 0 ? $"the bundle has no entry '{name}'" : $"the bundle holds entry '{name}' {matches.Length} times");
        }

        ZipArchiveEntry entry = matches[0];
        if (entry.Length > cap)
        {
            throw new InvalidDataException($"bundle entry '{name}' declares {entry.Length} bytes, more than the {cap} allowed");
        }

        // Grows with the bytes that actually inflate (the zip reader stops at the declared size), so a forged size reserves nothing.
        byte[] bytes = Guard(() =>
        {
            using var buffer = new MemoryStream();
            using Stream stream = entry.Open();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        });
        return bytes.LongLength == entry.Length
            ? bytes
            : throw new InvalidDataException($"bundle entry '{name}' holds {bytes.LongLength} bytes but declares {entry.Length}: it is truncated");
    }

    private static string RecordedHash(byte[] manifest, string entryName)
    {
        using JsonDocument document = JsonDocument.Parse(manifest);
        return document.RootElement.TryGetProperty("files", out JsonElement files)
            && files.ValueKind == JsonValueKind.Object
            && files.TryGetProperty(entryName, out JsonElement hash)
            && hash.ValueKind == JsonValueKind.String
                ? hash.GetString()!
                : throw new InvalidDataException($"the bundle's manifest records no SHA-256 for '{entryName}' under \"files\"");
    }
}
