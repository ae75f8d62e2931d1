using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Runs;

/// <summary>What training in a run folder does with the run recorded there (<see cref="RunResume.Decide"/>).</summary>
/// <param name="Configuration">The run to train: the folder's own (resumed; only its iteration target, data path and model record may be newer) or the one asked for (a new run).</param>
/// <param name="IsNew">True when a new run starts: the folder held none, or one that wrote no checkpoint, which is replaced.</param>
/// <param name="Note">What happens, for the user ("Resuming the run in …"); null for a new run in a folder that held none.</param>
/// <param name="Unchecked">True when the folder holds a checkpoint but no run.json, so that what it resumes could not be compared with the run asked for.</param>
internal sealed record RunResumption(RunConfiguration Configuration, bool IsNew, string? Note, bool Unchecked = false);

/// <summary>
/// Whether training on a run folder resumes the run recorded there (run.json), replaces it, or is refused, and why: the one
/// check that <c>fewshot train</c> and <see cref="Torch.TorchMetaTrainer"/> (given its <c>Run</c>) share.
/// </summary>
internal static class RunResume
{
    /// <summary>
    /// A folder with run.json resumes that run when every setting but the iteration target is the one asked for (the
    /// MAML++ schedules keep the lengths the run started with; the data may have moved, same contents by its fingerprint,
    /// and the new path is taken; a recorded <see cref="RunConfiguration.Model"/> must match where both are known). Another
    /// run, or other data, is refused once the run has a checkpoint, and replaced before it has one. A folder with a
    /// checkpoint but no run.json (written before runs were recorded, or by a trainer given no run) resumes unchecked, as it
    /// did: refusing it would strand its training. A folder-data run without <see cref="RunConfiguration.ValidationFolder"/>
    /// resumes without it where the request has one (the run started before val folders were read, or before the root had
    /// one), and says so. The caller records the result (<see cref="RunConfiguration.Save"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The folder's run has a checkpoint and differs from <paramref name="requested"/> (each difference named, with both values), or trained on other data.</exception>
    /// <exception cref="InvalidDataException">The folder's run.json is not valid.</exception>
    public static RunResumption Decide(string folder, RunConfiguration requested)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(requested);
        var hasCheckpoint = File.Exists(Path.Combine(folder, Checkpoint.FileName));
        if (!File.Exists(Path.Combine(folder, RunConfiguration.FileName)))
        {
            return hasCheckpoint
                ? new RunResumption(requested, false, $"Resuming the checkpoint in {folder} unchecked: the folder has no {RunConfiguration.FileName} (written before runs were recorded, or by a trainer given no run configuration), so nothing tells which run it is; {RunConfiguration.FileName} now records this one", Unchecked: true)
                : new RunResumption(requested, true, null);
        }

        var existing = RunConfiguration.Load(folder);

        // A run that started without root/val's validation classes (before val folders were read, or before the folder was
        // there) goes on without them, as it trained: its fingerprint covers train and test alone, and validation classes
        // that appear mid-run would make its validations before and after incomparable.
        string? unreadValidation = null;
        if (hasCheckpoint && existing.Dataset == "folder" && existing.ValidationFolder is null && requested.ValidationFolder is { } name)
        {
            unreadValidation = Path.Combine(requested.DataPath ?? "", name);
            var without = requested with { ValidationFolder = null };
            requested = without with { DataFingerprint = requested.DataFingerprint is null ? null : DataFingerprint.Of(without) };
        }

        var sameSchedules = (existing.MultiStepLossIterations > 0) == (requested.MultiStepLossIterations > 0)
            && (existing.FirstOrderIterations > 0) == (requested.FirstOrderIterations > 0)
            && existing.CosineIterations.HasValue == requested.CosineIterations.HasValue;

        // A run that recorded its data's fingerprint knows its data by contents, compared below, wherever the data now is;
        // a run.json written before fingerprints knows it by path alone, as before. A model is compared where both sides
        // know it: run.json written before it was recorded, and a request made before the model is built, do not.
        var byContents = existing.DataFingerprint is not null;
        var data = existing with
        {
            Iterations = requested.Iterations,
            DataPath = byContents ? requested.DataPath : existing.DataPath,
            DataFingerprint = requested.DataFingerprint,
            Model = existing.Model is null ? requested.Model : existing.Model,
        };
        var asked = requested.Model is null ? requested with { Model = data.Model } : requested;
        var comparable = data with
        {
            MultiStepLossIterations = requested.MultiStepLossIterations,
            FirstOrderIterations = requested.FirstOrderIterations,
            CosineIterations = requested.CosineIterations,
        };
        if (!sameSchedules || comparable != asked)
        {
            var differences = string.Join(", ", Differences(sameSchedules ? comparable : data, asked));
            if (!hasCheckpoint)
            {
                // A run that stopped before its first checkpoint (a diverged one, say) has nothing to resume: retrying it with
                // other settings must not need the folder deleted by hand.
                return new RunResumption(requested, true, $"Starting a new run in {folder}: the run there ({existing.Algorithm} on {existing.Dataset}; {differences}) wrote no checkpoint, so its run.json and metrics are replaced");
            }

            throw new ArgumentException($"{folder} holds a different run ({existing.Algorithm} on {existing.Dataset}; its run.json differs in {differences}); "
                + "train in another run folder, or ask for the run's own settings to resume it");
        }

        if (DataChange(existing, requested, requested.DataFingerprint) is { } changed)
        {
            if (!hasCheckpoint)
            {
                return new RunResumption(requested, true, $"Starting a new run in {folder}: the run there wrote no checkpoint and {changed}, so its run.json and metrics are replaced");
            }

            throw new ArgumentException($"{folder} holds a run that trained on other data: {changed}. Resuming would mix two datasets "
                + "(and split other classes by the seed); train on this data in another run folder, or give the run its own data to resume it");
        }

        var moved = byContents && requested.DataFingerprint is not null
            && Path.TrimEndingDirectorySeparator(existing.DataPath ?? "") != Path.TrimEndingDirectorySeparator(requested.DataPath ?? "");
        var resumed = existing with
        {
            Iterations = requested.Iterations,
            DataPath = byContents ? requested.DataPath : existing.DataPath,
            Model = existing.Model ?? requested.Model,
        };

        // A run stopped before its first checkpoint has only run.json: it starts over, and should not claim to resume.
        var note = hasCheckpoint
            ? $"Resuming the run in {folder}"
            : $"Starting the run in {folder} over from iteration 0: it has no checkpoint yet (one is written every {new MetaTrainerOptions().CheckpointEvery} iterations)";
        if (unreadValidation is not null)
        {
            note += $"{Environment.NewLine}note: the run does not validate on the class folders of '{unreadValidation}': it started without them (before fewshot read a root's val folder, or before the folder was there), and goes on as it trained; train in a new run folder to validate on them";
        }

        return new RunResumption(resumed, false, moved ? $"The run's data moved from {existing.DataPath} to {requested.DataPath}, same contents: run.json now records the new path{Environment.NewLine}{note}" : note);
    }

    /// <summary>
    /// How the data <paramref name="configuration"/> names, whose fingerprint is <paramref name="current"/>, differs from
    /// what <paramref name="trained"/> recorded, as a clause naming both paths ("the data at B is not what the run trained
    /// on (at A): …"); null when it is the same data, or when that cannot be told: a run.json written before fingerprints,
    /// another dataset, or data that is not there (<paramref name="current"/> null: its loader names it).
    /// </summary>
    public static string? DataChange(RunConfiguration trained, RunConfiguration configuration, DataFingerprint? current)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(configuration);
        if (trained.DataFingerprint is not { } recorded || configuration.Dataset != trained.Dataset || current is null || current == recorded)
        {
            return null;
        }

        return (trained.DataPath == configuration.DataPath
            ? $"the data at {configuration.DataPath} changed since the run started: "
            : $"the data at {configuration.DataPath} is not what the run trained on (at {trained.DataPath}): ")
            + recorded.Difference(current);
    }

    /// <summary>Each setting (by its run.json name) that differs between the folder's run and the one asked for, with both values.</summary>
    private static IEnumerable<string> Differences(RunConfiguration existing, RunConfiguration requested) =>
        typeof(RunConfiguration).GetProperties()
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null && !Equals(p.GetValue(existing), p.GetValue(requested)))
            .Select(p => $"{JsonNamingPolicy.CamelCase.ConvertName(p.Name)} ({Show(p.GetValue(existing))} there, {Show(p.GetValue(requested))} asked for)");

    private static string Show(object? value) => value switch
    {
        null => "none",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };
}
