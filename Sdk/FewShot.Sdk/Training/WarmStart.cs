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
    /// <summary>The checkpoint to start from: <paramref name="source"/> itself, or the checkpoint inside a run folder.</summary>
    /// <exception cref="FileNotFoundException">There is no checkpoint there.</exception>
    public static string CheckpointPath(string source)
    {
        var path = Directory.Exists(source) ? Path.Combine(source, Checkpoint.FileName) : source;
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"{source} is neither a checkpoint nor a run folder with a {Checkpoint.FileName}", path);
    }

    /// <summary>
    /// <paramref name="fresh"/> (in <paramref name="specs"/> order) with every parameter that the checkpoint holds under
    /// the same name and shape replaced by the checkpoint's values; <paramref name="fresh"/> itself is not changed.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or none of its parameters fits this model.</exception>
    public static WarmStartResult Apply(string checkpointPath, IReadOnlyList<ParameterSpec> specs, float[][] fresh)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(fresh);
        if (fresh.Length != specs.Count)
        {
            throw new ArgumentException($"{fresh.Length} value arrays for {specs.Count} parameters", nameof(fresh));
        }

        using var npz = NpzReader.Open(checkpointPath);
        var values = fresh.Select(v => (float[])v.Clone()).ToArray();
        var copied = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var name = "theta." + specs[i].Name;
            if (!npz.Contains(name))
            {
                continue;
            }

            var array = npz.Read(name);
            if (array.Shape.SequenceEqual(specs[i].Shape.Select(d => (int)d)))
            {
                values[i] = array.ToFloat32();
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
}

/// <summary>A warm start: the starting values, and which parameters came from the checkpoint and which kept their fresh initialization.</summary>
public sealed record WarmStartResult(float[][] Values, IReadOnlyList<string> Copied, IReadOnlyList<string> Fresh);
