using FewShot.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Runs;

namespace FewShot.Cli.Commands;

/// <summary>
/// What <c>fewshot eval model.fewshot</c> measures a bundle on when there is no run folder (a shipped model): the test
/// classes of the data its manifest names (dataset, split, and the run's seed, which seeds a folder's or an array's
/// class split and the test episodes), so the figures are those <c>fewshot eval --run … --runtime</c> gives for the
/// run it was exported from when given the same ways, shots and queries. The manifest records the ways and shots of its
/// figure, which are the defaults, but not the queries per class: those default to <see cref="DefaultQueries"/>, or to
/// as many as the smallest class of folder or npz data holds after the shots (<see cref="QueriesNote"/> says so). A
/// regression or reconstruction bundle records no figure (its MSE has no field in the manifest), so a run's defaults
/// apply to it (1 shot) unless --shots says.
/// </summary>
/// <param name="Configuration">The run the bundle stands for, on the data to measure it on, with the test ways, shots and queries.</param>
/// <param name="Kind">What the bundle's output is for.</param>
/// <param name="Normalization">The bundle's feature normalization, for the report.</param>
/// <param name="Ways">Classes per test task.</param>
/// <param name="Shots">Support examples per class.</param>
/// <param name="QueriesNote">Why the queries per class are fewer than <see cref="DefaultQueries"/> when none were given; null otherwise.</param>
internal sealed record BundleEvaluation(RunConfiguration Configuration, TaskKind Kind, string Normalization, int Ways, int Shots, string? QueriesNote = null)
{
    /// <summary>The queries per class when neither the command nor the bundle says (the MAML papers' 15).</summary>
    public const int DefaultQueries = 15;

    /// <summary>
    /// What to measure the bundle at <paramref name="path"/> on, from its <paramref name="manifest"/> and the command's
    /// options (each null when not given: the manifest's, or the defaults, then apply).
    /// </summary>
    public static BundleEvaluation Describe(string path, ModelManifest manifest, string? dataset, string? dataPath, string? split, int? ways, int? shots, int? queries, int? steps)
    {
        if (steps is { } givenSteps && manifest.InnerLoop is null)
        {
            // As for a run: the header would otherwise report steps that never ran.
            throw new ArgumentException($"--inner-steps {givenSteps} has no effect: this {manifest.Algorithm} bundle adapts without gradient steps; leave --inner-steps out");
        }

        var provenance = manifest.Provenance;
        var kind = manifest.Output.Kind switch
        {
            OutputKind.Logits or OutputKind.Embedding => TaskKind.Classification,
            OutputKind.Regression => TaskKind.Regression,
            _ => TaskKind.Reconstruction,
        };
        var configuration = new RunConfiguration
        {
            Algorithm = manifest.Algorithm,
            Dataset = dataset ?? provenance.Dataset,
            DataPath = dataPath is null ? null : Path.GetFullPath(dataPath),
            Split = split ?? provenance.Split,
            Seed = checked((int)provenance.Seed),
            Queries = queries ?? DefaultQueries,
            ImageSize = manifest.Input.Shape is [_, var height, _] ? checked((int)height) : new RunConfiguration().ImageSize,

            // Folder images become the channels the bundle takes (its manifest's input shape), as the run read them.
            Color = (dataset ?? provenance.Dataset) == "folder" && manifest.Input.Shape is [3, _, _] ? "rgb" : "gray",
        };
        if (configuration.DataPath is null && configuration.Dataset is "omniglot" or "folder" or "npz")
        {
            throw new ArgumentException($"{Path.GetFileName(path)} was meta-trained on {configuration.Dataset} data; give it with --data (Omniglot's folder, the class folders' root or the .npz file) to measure the bundle on its test classes");
        }

        var normalization = manifest.FeatureNormalization
            ?? (manifest.BatchNorm is null ? FeatureNormalizationNames.None : FeatureNormalizationNames.Batch);

        // The ways and shots the manifest's own figure was measured with; a head's size when it has none.
        var testWays = ways ?? provenance.Metrics?.Ways ?? (manifest.Output.Kind == OutputKind.Logits ? manifest.Output.Size : configuration.Ways);
        var testShots = shots ?? provenance.Metrics?.Shots ?? configuration.Shots;
        if (manifest.Classes?.Max is { } most && testWays > most)
        {
            throw new ArgumentException($"--ways {testWays}: the bundle's head has {most} outputs, so it adapts to at most {most} classes");
        }

        configuration = configuration with { Ways = testWays, Shots = testShots };
        if (queries is not null)
        {
            return new BundleEvaluation(configuration, kind, normalization, testWays, testShots);
        }

        // The run's own queries are not recorded, and the data a user brings may hold fewer examples a class than 15 besides the shots.
        var (fitting, limitedBy) = RunData.QueriesThatFit(configuration, testShots, DefaultQueries);
        return new BundleEvaluation(configuration with { Queries = fitting }, kind, normalization, testWays, testShots, limitedBy is null ? null
            : $"note: {fitting} {(fitting == 1 ? "query" : "queries")} per class, not the default {DefaultQueries}: {limitedBy}, {testShots} of them support examples (--queries sets the queries)");
    }
}
