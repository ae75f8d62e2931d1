using FewShot.Sdk.Data;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Training;

/// <summary>
/// A resumable training state in one .npz file, written atomically: the meta-parameters, Adam's moments and step
/// count, and the iteration. Together with the seed this determines the rest of the run exactly.
/// </summary>
public sealed record Checkpoint(int Iteration, float[][] Parameters, float[][] FirstMoments, float[][] SecondMoments, long OptimizerSteps)
{
    /// <summary>The checkpoint's file name inside a run folder.</summary>
    public const string FileName = "checkpoint.npz";

    private const string ParameterPrefix = "theta.";

    /// <summary>Writes the checkpoint to <paramref name="path"/> (temp file, then rename).</summary>
    public void Save(string path, IReadOnlyList<ParameterSpec> specs)
    {
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal)
        {
            ["state"] = NpyArray.Create(new long[] { Iteration, OptimizerSteps }, 2),
        };
        for (var i = 0; i < specs.Count; i++)
        {
            var shape = specs[i].Shape.Select(d => (int)d).ToArray();
            arrays[ParameterPrefix + specs[i].Name] = NpyArray.Create(Parameters[i], shape);
            arrays["adam_m." + specs[i].Name] = NpyArray.Create(FirstMoments[i], shape);
            arrays["adam_v." + specs[i].Name] = NpyArray.Create(SecondMoments[i], shape);
        }

        NpzWriter.Write(path, arrays, compress: false);
    }

    /// <summary>Reads a checkpoint and checks it against the parameters the algorithm declares.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of these parameters.</exception>
    /// <exception cref="FileNotFoundException">There is no checkpoint at <paramref name="path"/>.</exception>
    public static Checkpoint Load(string path, IReadOnlyList<ParameterSpec> specs)
    {
        // A run folder with run.json alone (stopped before its first checkpoint) would otherwise read "Could not find file".
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"there is no checkpoint at '{path}': its run has not written one yet (training writes one every {new MetaTrainerOptions().CheckpointEvery} iterations and when it stops); train it first", path);
        }

        using var npz = NpzReader.Open(path);
        var state = Read(npz, "state", 2, path).ToInt64();

        // A model whose parameters are a subset of the checkpoint's (ProtoNets' conv4 encoder in a MAML run's folder) would
        // otherwise resume from it, and its next save would drop the parameters it does not know.
        var declared = specs.Select(s => ParameterPrefix + s.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = npz.Names.Where(n => n.StartsWith(ParameterPrefix, StringComparison.Ordinal) && !declared.Contains(n)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException(
                $"checkpoint {path} holds '{string.Join("', '", unknown)}', which the model does not have: it was written for another model or algorithm");
        }

        var parameters = new float[specs.Count][];
        var m = new float[specs.Count][];
        var v = new float[specs.Count][];
        for (var i = 0; i < specs.Count; i++)
        {
            parameters[i] = Read(npz, ParameterPrefix + specs[i].Name, specs[i].ElementCount, path).ToFloat32();
            m[i] = Read(npz, "adam_m." + specs[i].Name, specs[i].ElementCount, path).ToFloat32();
            v[i] = Read(npz, "adam_v." + specs[i].Name, specs[i].ElementCount, path).ToFloat32();
        }

        return new Checkpoint(checked((int)state[0]), parameters, m, v, state[1]);
    }

    private static NpyArray Read(NpzReader npz, string name, int count, string path)
    {
        if (!npz.Contains(name))
        {
            throw new InvalidDataException($"checkpoint {path} has no '{name}': it was written for another model or algorithm");
        }

        var array = npz.Read(name);
        return array.Length == count
            ? array
            : throw new InvalidDataException($"checkpoint {path}: '{name}' has {array.Length} values, the model needs {count}");
    }
}
