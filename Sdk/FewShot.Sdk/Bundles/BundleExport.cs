using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Bundles;

/// <summary>
/// Writes a trained run as a deployable bundle: the very adapt and predict graphs the evaluator runs, with the
/// meta-learned state as θ₀, and a manifest describing input, output, classes, inner loop and provenance.
/// </summary>
public static class BundleExport
{
    /// <summary>Writes the bundle atomically and returns its model hash.</summary>
    /// <param name="path">The .fewshot file to write.</param>
    /// <param name="algorithm">The run's algorithm.</param>
    /// <param name="metaParameters">The trained meta-parameters.</param>
    /// <param name="run">The run's configuration (provenance, normalization).</param>
    /// <param name="iterations">Iterations the parameters were trained for.</param>
    /// <param name="steps">K of the unrolled adapt graph (gradient algorithms).</param>
    /// <param name="measured">An evaluation to record in the manifest, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="metaParameters"/> are not values of <paramref name="algorithm"/>'s meta-parameters (count or sizes); or <paramref name="run"/>'s dataset names one of the Sdk's image loaders (omniglot, fashion-mnist, folder), whose preprocessing the manifest would then describe, but its data is not that loader's (no recorded fingerprint, and the loader's files are not at its DataPath): data of your own takes a name of its own.</exception>
    public static string Write(string path, MetaAlgorithm algorithm, float[][] metaParameters, RunConfiguration run, int iterations, int steps, EvaluationResult? measured)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteBundle(path, algorithm, metaParameters, run, iterations, steps, measured, (run.Ways, run.Shots));
    }

    /// <summary>As the public overload, with the ways and shots of the episodes <paramref name="measured"/> was measured on.</summary>
    private static string WriteBundle(string path, MetaAlgorithm algorithm, float[][] metaParameters, RunConfiguration run, int iterations, int steps, EvaluationResult? measured, (int Ways, int Shots) episodes)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ManifestInputs.RequireLoadersData(run);
        RequireMetaParameters(algorithm, metaParameters);
        var (specs, values) = algorithm.DeploymentState(metaParameters);
        var predict = algorithm.BuildPredict();
        var modelNames = predict.Inputs.Concat(AdaptedState(algorithm)).Concat(CarriedState(algorithm)).ToHashSet(StringComparer.Ordinal);

        // Only what predict reads and the adaptation state are overridable parameters; an algorithm's learned extras that
        // only adaptation uses (Meta-SGD's learning rates, MAML++'s per-step rates, a learned optimizer's weights) are baked into the adapt graphs.
        var parameters = new List<TensorProto>();
        var baked = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        for (var i = 0; i < specs.Count; i++)
        {
            var tensor = TensorData.Float(specs[i].Name, specs[i].Shape, values[i]);
            if (modelNames.Contains(specs[i].Name))
            {
                parameters.Add(tensor);
            }
            else
            {
                baked[specs[i].Name] = tensor;
            }
        }

        // The input batch's pooled convolutions run in slices: the same predictions, a fraction of the memory.
        var predictModel = predict.Model.Clone();
        PooledConvolutionSlices.Apply(predictModel, BundleNames.X);
        var (adapt, adaptK) = AdaptGraphs(algorithm, steps);
        var contents = new BundleContents
        {
            Manifest = Manifest(algorithm, run, iterations, steps, measured, episodes),
            Parameters = parameters,
            Predict = predictModel,
            Adapt = Bake(adapt, baked),
            AdaptK = adaptK is null ? null : Bake(adaptK, baked),
            Statistics = algorithm is GradientLearner { SupportStatistics.Count: > 0 } learner ? Bake(learner.BuildSupportStatistics().Model, baked) : null,
        };
        return BundleWriter.Write(path, contents);
    }

    /// <summary>
    /// Writes the bundle, measures it through FewShot.Runtime (<see cref="BundleEvaluator"/>: adapting with the bundle's
    /// own K and predicting, as an app does) and writes it again with that measurement in the manifest (DESIGN idea 4).
    /// The bundle is measured under a temporary name in <paramref name="path"/>'s folder: when the measurement fails or is
    /// cancelled, <paramref name="path"/> is left as it was.
    /// </summary>
    /// <returns>The final bundle's model hash and the measurement written into it.</returns>
    /// <exception cref="ArgumentException">As <see cref="Write"/>, before anything is measured.</exception>
    public static (string Hash, EvaluationResult Measured) WriteMeasured(string path, MetaAlgorithm algorithm, float[][] metaParameters, RunConfiguration run,
        int iterations, int steps, ITaskSource testTasks, int episodes, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        ManifestInputs.RequireLoadersData(run); // before the measurement, which takes a while

        // The unmeasured bundle is measured beside the destination, so that a failed or cancelled measurement leaves no
        // bundle without its figure at path, and an older bundle there as it was.
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;

        // As the final write would say, but before the measurement, and naming the destination rather than the temporary file.
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot write '{full}': directory '{folder}' does not exist");
        }

        var unmeasured = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.unmeasured");
        EvaluationResult measured;
        try
        {
            Write(unmeasured, algorithm, metaParameters, run, iterations, steps, measured: null);
            measured = BundleEvaluator.Evaluate(unmeasured, algorithm.Task, testTasks, episodes, steps: null, run.Seed, threads, cancellationToken);
        }
        finally
        {
            if (File.Exists(unmeasured))
            {
                File.Delete(unmeasured);
            }
        }

        return (WriteBundle(path, algorithm, metaParameters, run, iterations, steps, measured, MeasuredEpisodes(testTasks, run)), measured);
    }

    /// <summary>
    /// The ways and shots of the episodes <paramref name="tasks"/> draws, which the manifest's figure was measured on: a
    /// caller's test tasks may draw other ways than the run trained with. The run's where the source does not say.
    /// </summary>
    private static (int Ways, int Shots) MeasuredEpisodes(ITaskSource tasks, RunConfiguration run) => tasks switch
    {
        EpisodeTaskSource { Sampler: EpisodeSampler sampler } => (sampler.Ways, sampler.Shots),
        EpisodeTaskSource { Sampler: WithinGroupEpisodeSampler sampler } => (sampler.Ways, sampler.Shots),
        _ => (run.Ways, run.Shots),
    };

    // Values of another algorithm or model would otherwise fail deep in the export with an index out of range.
    private static void RequireMetaParameters(MetaAlgorithm algorithm, float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        var specs = algorithm.MetaParameters;
        if (metaParameters.Length != specs.Count)
        {
            throw new ArgumentException(
                $"{metaParameters.Length} meta-parameter tensors were given, but {algorithm.Name}'s {algorithm.Model.Name} has {specs.Count}; pass the values its training returned (TrainingResult.Parameters)",
                nameof(metaParameters));
        }

        for (var i = 0; i < specs.Count; i++)
        {
            if (metaParameters[i]?.Length != specs[i].ElementCount)
            {
                throw new ArgumentException(
                    $"meta-parameter {i} ('{specs[i].Name}') has {metaParameters[i]?.Length ?? 0} values, but {algorithm.Name}'s {algorithm.Model.Name} needs {specs[i].ElementCount}",
                    nameof(metaParameters));
            }
        }
    }

    private static (ModelProto Adapt, ModelProto? AdaptK) AdaptGraphs(MetaAlgorithm algorithm, int steps) => algorithm switch
    {
        IEmbeddingAdaptation => (algorithm.BuildAdapt(0).Model, null),
        GradientLearner learner => (learner.BuildAdaptStep().Model, learner.BuildAdapt(steps).Model),
        LearnedOptimizer learned => (learned.BuildAdaptFromFeatures(1).Model, learned.BuildAdapt(steps).Model),

        // One adaptation step presents the whole support sequence; K is 1.
        Mann => (algorithm.BuildAdapt(1).Model, algorithm.BuildAdapt(1).Model),

        // The generator writes the state in one pass from the support set alone, so any number of steps gives the same.
        AutoencoderGenerator => (algorithm.BuildAdapt(1).Model, algorithm.BuildAdapt(1).Model),
        _ => (algorithm.BuildAdapt(1).Model, algorithm.BuildAdapt(steps).Model),
    };

    private static ModelManifest Manifest(MetaAlgorithm algorithm, RunConfiguration run, int iterations, int steps, EvaluationResult? measured, (int Ways, int Shots) episodes)
    {
        var kind = algorithm switch
        {
            IEmbeddingAdaptation => OutputKind.Embedding,
            _ => algorithm.Task switch
            {
                TaskKind.Classification => OutputKind.Logits,
                TaskKind.Regression => OutputKind.Regression,
                _ => OutputKind.Reconstruction,
            },
        };
        var classifies = kind is OutputKind.Logits or OutputKind.Embedding;
        return new ModelManifest
        {
            Algorithm = algorithm.Name,
            Model = algorithm.Model.Name,
            Input = new ManifestInput
            {
                Shape = algorithm.Model.InputShape.ToArray(),
                Normalization = new ManifestNormalization { Text = ManifestInputs.Normalization(run, algorithm.Model.InputShape.ToArray()) },
                Preprocessing = ManifestInputs.Preprocessing(run, algorithm.Model.InputShape.ToArray()),
            },
            Output = new ManifestOutput { Kind = kind, Size = algorithm.OutputSize },
            Classes = classifies ? new ManifestClasses { Min = 1, Max = kind == OutputKind.Logits ? algorithm.OutputSize : null } : null,
            InnerLoop = algorithm switch
            {
                // Support statistics (MetaBN) are adapted state like the parameters, which predict reads: adapt_k outputs them, and
                // statistics.onnx computes them once after the last step of the one-step graph, which leaves them out.
                GradientLearner learner => new ManifestInnerLoop
                {
                    Steps = steps, LearningRate = ShortestDouble(learner.Inner.LearningRate), FirstOrder = algorithm is FirstOrderMaml or Reptile, AdaptedParameters = learner.AdaptedState,
                    Statistics = learner.SupportStatistics.Count > 0 ? [.. learner.SupportStatistics.Select(s => s.Name)] : null,
                    SeparableSteps = learner.StepsSeparateByExample && NormalizesEachExampleAlone(algorithm.Model),
                },

                // The step is learned (the baked optimizer), so there is no learning rate to state; its gradient input is a constant.
                LearnedOptimizer => new ManifestInnerLoop { Steps = steps, LearningRate = 0, FirstOrder = true, AdaptedParameters = algorithm.AdaptedParameters, CarriedState = CarriedState(algorithm) },

                // Adaptation writes memory, it takes no gradient step: one step is one presentation of the support sequence.
                Mann => new ManifestInnerLoop { Steps = 1, LearningRate = 0, FirstOrder = true, AdaptedParameters = algorithm.AdaptedParameters, CarriedState = CarriedState(algorithm) },

                // No gradient step either: one step is one pass of the parameter generator over the support set.
                AutoencoderGenerator => new ManifestInnerLoop { Steps = 1, LearningRate = 0, FirstOrder = true, AdaptedParameters = algorithm.AdaptedParameters },
                _ => null,
            },
            BatchNorm = FeatureNormalizationOf(algorithm.Model) == FeatureNormalizationNames.Batch ? ModelManifest.BatchStatisticsText : null,
            FeatureNormalization = FeatureNormalizationOf(algorithm.Model),
            Provenance = new ManifestProvenance
            {
                Dataset = run.Dataset,
                Split = run.HasSplit ? run.Split : "none",
                Iterations = iterations,
                Seed = run.Seed,
                // The block is a classification figure, an accuracy at some ways: a regression or reconstruction bundle's
                // measured MSE has no field in it, and a regression bundle has no ways to state (Format/README.md).
                Metrics = measured is { IsAccuracy: true }
                    ? new ManifestMetrics { Accuracy = measured.Metric.Mean, Ci95 = measured.Metric.HalfWidth95, Ways = episodes.Ways, Shots = episodes.Shots, Episodes = measured.Episodes }
                    : null,
            },
        };
    }

    /// <summary>True when no normalization layer of the model takes statistics across examples (none, group, instance or layer norm).</summary>
    private static bool NormalizesEachExampleAlone(Models.IFewShotModel model) =>
        FeatureNormalizationOf(model) is FeatureNormalizationNames.None or FeatureNormalizationNames.Group or FeatureNormalizationNames.Instance or FeatureNormalizationNames.Layer;

    /// <summary>The manifest's name for the model's normalization layers; the MLP and the autoencoder have none.</summary>
    internal static string FeatureNormalizationOf(Models.IFewShotModel model) => model switch
    {
        Models.Conv4 conv4 => conv4.Normalization,
        Models.SiameseNetwork twin => twin.Encoder.Normalization,
        Models.RelationNetwork relation => relation.Normalization,
        _ => (Models.FeatureNormalization?)null,
    } switch
    {
        Models.FeatureNormalization.Group => FeatureNormalizationNames.Group,
        Models.FeatureNormalization.Instance => FeatureNormalizationNames.Instance,
        Models.FeatureNormalization.Layer => FeatureNormalizationNames.Layer,
        Models.FeatureNormalization.Batch => FeatureNormalizationNames.Batch,
        Models.FeatureNormalization.Support => FeatureNormalizationNames.Support,
        _ => FeatureNormalizationNames.None,
    };

    private static IReadOnlyList<string> AdaptedState(MetaAlgorithm algorithm) => algorithm is GradientLearner learner ? learner.AdaptedState : algorithm.AdaptedParameters;

    private static IReadOnlyList<string> CarriedState(MetaAlgorithm algorithm) => algorithm switch
    {
        LearnedOptimizer learned => [.. learned.CarriedState.Select(s => s.Name)],
        Mann mann => [.. mann.CarriedState.Select(s => s.Name)],
        _ => [],
    };

    /// <summary>The double that prints like the float (0.01, not 0.009999999776482582).</summary>
    private static double ShortestDouble(float value) =>
        double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A copy of <paramref name="model"/> whose inputs named in <paramref name="values"/> become plain initializers.</summary>
    private static ModelProto Bake(ModelProto model, IReadOnlyDictionary<string, TensorProto> values)
    {
        var copy = model.Clone();
        foreach (var input in copy.Graph.Input.Where(i => values.ContainsKey(i.Name)).ToList())
        {
            copy.Graph.Input.Remove(input);
            copy.Graph.Initializer.Add(values[input.Name].Clone());
        }

        return copy;
    }
}
