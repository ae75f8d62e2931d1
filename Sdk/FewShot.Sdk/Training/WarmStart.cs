using System.IO.Compression;
using FewShot.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Training;

/// <summary>
/// Starts a new run's meta-parameters from another run's checkpoint: every parameter whose name and shape match is
/// copied (a ProtoNets encoder's conv and norm layers into MAML's conv4), the rest keep their fresh initialization
/// (MAML's head, its learned inner rates). Pretraining an encoder before meta-learning is how the budget-limited
/// recipes get their accuracy (e.g. Chen et al. 2021, Meta-Baseline); a warm-started run says so in its run.json.
/// </summary>
public static class WarmStart
{
    /// <summary>The checkpoint or bundle to start from: <paramref name="source"/> itself, or the checkpoint inside a run folder.</summary>
    /// <exception cref="FileNotFoundException">There is no checkpoint there.</exception>
    public static string CheckpointPath(string source)
    {
        var path = Directory.Exists(source) ? Path.Combine(source, Checkpoint.FileName) : source;
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"{source} is neither a checkpoint, a bundle nor a run folder with a {Checkpoint.FileName}", path);
    }

    /// <summary>
    /// <paramref name="fresh"/> (in <paramref name="specs"/> order) with every parameter that the checkpoint, or the
    /// bundle's θ₀ (<c>parameters.bin</c> of a <c>.fewshot</c> file), holds under the same name and shape replaced by
    /// those values; <paramref name="fresh"/> itself is not changed. A bundle carries θ₀ alone: rates that its export
    /// wrote into the adaptation graphs (Meta-SGD's, the learned per-step ones) start fresh.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is neither a checkpoint nor a bundle, or none of its parameters fits this model.</exception>
    public static WarmStartResult Apply(string checkpointPath, IReadOnlyList<ParameterSpec> specs, float[][] fresh)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(fresh);
        if (fresh.Length != specs.Count)
        {
            throw new ArgumentException($"{fresh.Length} value arrays for {specs.Count} parameters", nameof(fresh));
        }

        var source = ReadSource(checkpointPath);
        var values = fresh.Select(v => (float[])v.Clone()).ToArray();
        var copied = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            if (source.TryGetValue(specs[i].Name, out var tensor) && tensor.Shape.SequenceEqual(specs[i].Shape))
            {
                values[i] = tensor.Values;
                copied.Add(specs[i].Name);
            }
        }

        if (copied.Count == 0)
        {
            throw new InvalidDataException($"{checkpointPath} holds no parameter of this model (same name and shape): it was trained for another model");
        }

        var kept = specs.Select(s => s.Name).Except(copied, StringComparer.Ordinal).ToArray();
        return new WarmStartResult(values, copied, kept);
    }

    /// <summary>A bundle's manifest (what model and normalization its θ₀ is for); null for a checkpoint.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip archive, or the bundle's manifest is not valid.</exception>
    public static ModelManifest? BundleManifest(string path)
    {
        using var archive = OpenArchive(path);
        if (archive.GetEntry(BundleNames.ManifestEntry) is not { } entry || archive.GetEntry(BundleNames.ParametersEntry) is null)
        {
            return null;
        }

        try
        {
            return ManifestJson.Read(ReadAll(entry));
        }
        catch (BundleFormatException ex)
        {
            throw new InvalidDataException($"{path} is a damaged bundle: {ex.Message}", ex);
        }
    }

    /// <summary>The parameters a checkpoint (its <c>theta.*</c> arrays) or a bundle (its <c>parameters.bin</c>) holds, by name.</summary>
    private static Dictionary<string, NamedTensor> ReadSource(string path)
    {
        using (var archive = OpenArchive(path))
        {
            if (archive.GetEntry(BundleNames.ParametersEntry) is { } entry)
            {
                try
                {
                    return TensorSet.DecodeFile(ReadAll(entry), $"{path}'s θ₀", BundleNames.ParametersEntry).ToDictionary(t => t.Name, StringComparer.Ordinal);
                }
                catch (BundleFormatException ex)
                {
                    throw new InvalidDataException($"{path} is a damaged bundle: {ex.Message}", ex);
                }
            }
        }

        using var npz = NpzReader.Open(path);
        const string prefix = "theta.";
        return npz.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Array: npz.Read(n)))
            .ToDictionary(a => a.Name, a => new NamedTensor(a.Name, [.. a.Array.Shape.Select(d => (long)d)], a.Array.ToFloat32()), StringComparer.Ordinal);
    }

    private static ZipArchive OpenArchive(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path} is neither a checkpoint nor a bundle: it is not a zip archive ({ex.Message})", ex);
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

/// <summary>A warm start: the starting values, and which parameters came from the checkpoint and which kept their fresh initialization.</summary>
public sealed record WarmStartResult(float[][] Values, IReadOnlyList<string> Copied, IReadOnlyList<string> Fresh);
