using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>Whether <c>fewshot train</c> on a run folder resumes the run there, replaces it, or is refused, and why.</summary>
internal static class TrainResume
{
    /// <summary>The run in <paramref name="folder"/>, whose model settings resuming needs not repeat (--norm, --downsample); null for a new run.</summary>
    public static RunConfiguration? Existing(string folder) =>
        File.Exists(Path.Combine(folder, RunConfiguration.FileName)) ? RunConfiguration.Load(folder) : null;

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

    /// <summary>
    /// A folder with run.json resumes that run (only the iteration target may change; the MAML++ schedules keep the
    /// lengths the run started with, which --mamlpp derives from --iterations; --data may name the run's data moved,
    /// same contents by its fingerprint, and the new path is recorded); otherwise a new run starts. Other data at any
    /// path is refused once the run has a checkpoint. The caller saves the result once the run's data and starting point
    /// have loaded.
    /// </summary>
    public static RunConfiguration ResumeOrStart(string folder, RunConfiguration requested, TextWriter output)
    {
        if (!File.Exists(Path.Combine(folder, RunConfiguration.FileName)))
        {
            return requested;
        }

        var existing = RunConfiguration.Load(folder);
        var sameSchedules = (existing.MultiStepLossIterations > 0) == (requested.MultiStepLossIterations > 0)
            && (existing.FirstOrderIterations > 0) == (requested.FirstOrderIterations > 0)
            && existing.CosineIterations.HasValue == requested.CosineIterations.HasValue;
        // A run that recorded its data's fingerprint knows its data by contents, compared below, wherever --data now
        // points; a run.json written before fingerprints knows it by path alone, as before.
        var byContents = existing.DataFingerprint is not null;
        var data = existing with
        {
            Iterations = requested.Iterations,
            DataPath = byContents ? requested.DataPath : existing.DataPath,
            DataFingerprint = requested.DataFingerprint,
        };
        var comparable = data with
        {
            MultiStepLossIterations = requested.MultiStepLossIterations,
            FirstOrderIterations = requested.FirstOrderIterations,
            CosineIterations = requested.CosineIterations,
        };
        var hasCheckpoint = File.Exists(Path.Combine(folder, Checkpoint.FileName));
        if (!sameSchedules || comparable != requested)
        {
            var differences = string.Join(", ", Differences(sameSchedules ? comparable : data, requested));
            if (!hasCheckpoint)
            {
                // A run that stopped before its first checkpoint (a diverged one, say) has nothing to resume: retrying it with
                // other settings must not need the folder deleted by hand.
                output.WriteLine($"Starting a new run in {folder}: the run there ({existing.Algorithm} on {existing.Dataset}; {differences}) wrote no checkpoint, so its run.json and metrics are replaced");
                return requested;
            }

            throw new ArgumentException($"{folder} holds a different run ({existing.Algorithm} on {existing.Dataset}; its run.json differs in {differences}); use another --out folder, or repeat the run's own options to resume it");
        }

        if (DataCheck.Change(existing, requested, requested.DataFingerprint) is { } changed)
        {
            if (!hasCheckpoint)
            {
                output.WriteLine($"Starting a new run in {folder}: the run there wrote no checkpoint and {changed}, so its run.json and metrics are replaced");
                return requested;
            }

            throw new ArgumentException($"{folder} holds a run that trained on other data: {changed}. Resuming would mix two datasets "
                + "(and split other classes by the seed); train on this data with another --out folder, or give --data the run's own data to resume it");
        }

        if (byContents && requested.DataFingerprint is not null
            && Path.TrimEndingDirectorySeparator(existing.DataPath ?? "") != Path.TrimEndingDirectorySeparator(requested.DataPath ?? ""))
        {
            output.WriteLine($"The run's data moved from {existing.DataPath} to {requested.DataPath}, same contents: run.json now records the new path");
        }

        var resumed = existing with { Iterations = requested.Iterations, DataPath = byContents ? requested.DataPath : existing.DataPath };
        // A run stopped before its first checkpoint has only run.json: it starts over, and should not claim to resume.
        output.WriteLine(hasCheckpoint
            ? $"Resuming the run in {folder}"
            : $"Starting the run in {folder} over from iteration 0: it has no checkpoint yet (one is written every {new MetaTrainerOptions().CheckpointEvery} iterations)");
        return resumed;
    }
}
