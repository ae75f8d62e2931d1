using System.IO.Compression;

namespace FewShot.Tests.Shared;

/// <summary>Bundles with an edited manifest, for tests of what a manifest's fields make the CLI and the samples do.</summary>
internal static class BundleManifests
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> with <paramref name="from"/> replaced by <paramref name="to"/> in its manifest.json (ordinal, every occurrence).</summary>
    public static void CopyWithReplaced(string source, string destination, string from, string to)
    {
        File.Copy(source, destination);
        using var zip = ZipFile.Open(destination, ZipArchiveMode.Update);
        var entry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException($"{source} holds no manifest.json");
        string manifest;
        using (var reader = new StreamReader(entry.Open()))
        {
            manifest = reader.ReadToEnd();
        }

        if (!manifest.Contains(from, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}'s manifest does not contain {from}");
        }

        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
        writer.Write(manifest.Replace(from, to, StringComparison.Ordinal));
    }
}
