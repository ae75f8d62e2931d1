using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Takes bundles apart and puts them back together differently, for the tests of broken bundles.</summary>
internal static class BundleZip
{
    public static List<(string Name, byte[] Bytes)> Entries(byte[] bundle)
    {
        using var zip = new ZipArchive(new MemoryStream(bundle), ZipArchiveMode.Read);
        return [.. zip.Entries.Select(e =>
        {
            using var data = new MemoryStream();
            using (Stream stream = e.Open())
            {
                stream.CopyTo(data);
            }

            return (e.FullName, data.ToArray());
        })];
    }

    public static byte[] Write(IEnumerable<(string Name, byte[] Bytes)> entries, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] bytes) in entries)
            {
                using Stream stream = zip.CreateEntry(name, level).Open();
                stream.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    public static JsonObject Manifest(byte[] bundle) =>
        JsonNode.Parse(Entries(bundle).Single(e => e.Name == BundleNames.ManifestEntry).Bytes)!.AsObject();

    /// <summary>The bundle with its manifest edited.</summary>
    public static byte[] EditManifest(byte[] bundle, Action<JsonObject> edit)
    {
        JsonObject manifest = Manifest(bundle);
        edit(manifest);
        return WithManifestBytes(bundle, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    public static byte[] WithManifestBytes(byte[] bundle, byte[] manifest) =>
        Write(Entries(bundle).Select(e => e.Name == BundleNames.ManifestEntry ? (e.Name, manifest) : e));

    /// <summary>The bundle with one entry's bytes replaced; with <paramref name="rehash"/> the manifest records the new hash.</summary>
    public static byte[] WithEntry(byte[] bundle, string name, byte[] bytes, bool rehash)
    {
        byte[] replaced = Write(Entries(bundle).Select(e => e.Name == name ? (e.Name, bytes) : e));
        return rehash
            ? EditManifest(replaced, m => m["files"]![name] = Convert.ToHexStringLower(SHA256.HashData(bytes)))
            : replaced;
    }

    /// <summary>Offsets of the central-directory records (signature PK\1\2) in a zip.</summary>
    public static List<int> CentralRecords(byte[] zip)
    {
        var offsets = new List<int>();
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4B && zip[i + 2] == 0x01 && zip[i + 3] == 0x02)
            {
                offsets.Add(i);
            }
        }

        return offsets;
    }

    /// <summary>Overwrites the uncompressed size that the central directory declares for record <paramref name="record"/>.</summary>
    public static byte[] WithDeclaredSize(byte[] zip, int record, uint size)
    {
        byte[] copy = [.. zip];
        BitConverter.TryWriteBytes(copy.AsSpan(CentralRecords(zip)[record] + 24, 4), size);
        return copy;
    }
}
