using FewShot.Sdk.Runs;

namespace FewShot.Cli.Commands;

/// <summary>Compares the data a command is about to read with the fingerprint its run recorded when it started.</summary>
internal static class DataCheck
{
    /// <summary>
    /// How the data <paramref name="configuration"/> names, whose fingerprint is <paramref name="current"/>, differs from
    /// what <paramref name="trained"/> recorded, as a clause naming both paths ("the data at B is not what the run trained
    /// on (at A): …"); null when it is the same data, or when that cannot be told: a run.json written before fingerprints,
    /// another dataset, or data that is not there (<paramref name="current"/> null: its loader names it).
    /// </summary>
    public static string? Change(RunConfiguration trained, RunConfiguration configuration, DataFingerprint? current)
    {
        if (trained.DataFingerprint is not { } recorded || configuration.Dataset != trained.Dataset || current is null || current == recorded)
        {
            return null;
        }

        return (trained.DataPath == configuration.DataPath
            ? $"the data at {configuration.DataPath} changed since the run started: "
            : $"the data at {configuration.DataPath} is not what the run trained on (at {trained.DataPath}): ")
            + recorded.Difference(current);
    }
}
