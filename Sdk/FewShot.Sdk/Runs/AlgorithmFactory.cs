using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Runs;

/// <summary>Builds the algorithm and model a <see cref="RunConfiguration"/> names.</summary>
public static class AlgorithmFactory
{
    /// <summary>The algorithm names the command line accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "relationnet", "siamese", "siamese-contrastive", "autoencoder", "finetune", "metalstm", "mann", "ae-head", "ae-generator", "cactus"];

    /// <summary>
    /// The learners that adapt the whole network by gradient steps and so can take conv4's normalization statistics from
    /// the support set (<see cref="FeatureNormalization.Support"/>, MetaBN): their default.
    /// </summary>
    public static IReadOnlyList<string> SupportNormalized { get; } = ["maml", "fomaml", "metasgd", "reptile"];

    /// <summary>
    /// The normalization a run of <paramref name="algorithm"/> uses unless told otherwise: support statistics for
    /// <see cref="SupportNormalized"/> (measured 6 to 13 points above instance norm on the same budget, benchmarks/README.md),
    /// <see cref="FeatureNormalizations.Default"/> for the others. Both are inductive.
    /// </summary>
    public static FeatureNormalization DefaultNormalization(string algorithm) =>
        SupportNormalized.Contains(algorithm) ? FeatureNormalization.Support : FeatureNormalizations.Default;

    /// <summary>
    /// Creates the algorithm for a run over data of the given example shape: the sinusoid MLP for dataset sinusoid, an MLP
    /// classifier for flat feature vectors (<c>[features]</c>; <see cref="FeatureLearners"/>), conv4 (or the learner's own
    /// convolutional model) for images <c>[channels, height, width]</c>.
    /// </summary>
    /// <param name="configuration">The run.</param>
    /// <param name="data">The run's data (input shape, training classes).</param>
    /// <param name="ways">The classifier head's size; defaults to the configuration's ways.</param>
    /// <exception cref="ArgumentException">The algorithm is unknown or does not fit the dataset, its example shape or the ways.</exception>
    public static MetaAlgorithm Create(RunConfiguration configuration, RunData data, int? ways = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(data);
        var inner = new InnerLoopOptions { Steps = configuration.InnerSteps, LearningRate = configuration.InnerLearningRate, PerStepLearningRates = configuration.PerStepLearningRates, PrototypeHead = configuration.PrototypeHead };
        if (configuration.PrototypeHead && configuration.Algorithm is not ("maml" or "fomaml" or "metasgd"))
        {
            throw new ArgumentException($"a prototype head (Proto-MAML) applies to maml, fomaml and metasgd, which adapt a classifier's whole network; not to {configuration.Algorithm}");
        }

        if (configuration.PerStepLearningRates && configuration.Algorithm is "protonet")
        {
            throw new ArgumentException("per-step learning rates (LSLR) apply to learners with an inner loop of gradient steps; protonet has none");
        }

        if (configuration.NormalizationMode == FeatureNormalization.Support && !SupportNormalized.Contains(configuration.Algorithm))
        {
            throw new ArgumentException(
                $"support normalization (MetaBN) applies to maml, fomaml, metasgd and reptile, whose adaptation computes the support's statistics at the adapted weights for the queries; not to {configuration.Algorithm}");
        }

        var headWays = ways ?? configuration.Ways;
        if (configuration.Dataset != "sinusoid" && headWays < 1)
        {
            // A task of no classes would fail inside libtorch, far from the setting.
            throw new ArgumentException($"ways must be at least 1, got {headWays}");
        }

        if (configuration.Dataset == "sinusoid")
        {
            // The default dataset: a caller's own image data under it would get the sinusoid MLP, and libtorch's error later.
            if (data.InputShape is not [1])
            {
                throw new ArgumentException(
                    $"dataset 'sinusoid' (RunConfiguration's default) trains an MLP on scalar inputs [1], but the data's examples have shape [{string.Join(", ", data.InputShape)}]; name the data's own dataset in RunConfiguration.Dataset (conv4 for images)");
            }

            var mlp = Mlp.Sinusoid();
            return configuration.Algorithm switch
            {
                "maml" => new Maml(mlp, TaskKind.Regression, inner),
                "fomaml" => new FirstOrderMaml(mlp, TaskKind.Regression, inner),
                "metasgd" => new MetaSgd(mlp, TaskKind.Regression, inner),
                "anil" => new Anil(mlp, TaskKind.Regression, inner),
                "reptile" => new Reptile(mlp, TaskKind.Regression, inner),
                _ => throw new ArgumentException($"algorithm '{configuration.Algorithm}' does not apply to sinusoid regression: use maml, fomaml, metasgd, anil or reptile"),
            };
        }

        // A 1-way task has one answer: every prediction is right, the loss is 0 and nothing is learned, yet train, eval and
        // export reported 100 % accuracy. The reconstruction learners adapt to one class's normal examples, which is their use.
        if (configuration.Algorithm is not ("autoencoder" or "ae-generator") && Math.Min(headWays, configuration.EffectiveTrainWays) < 2)
        {
            throw new ArgumentException($"{configuration.Algorithm} classifies, and a 1-way task has one answer (every prediction right, a loss of 0): "
                + $"give --ways (and --train-ways) of 2 or more, not {headWays}-way tasks with {configuration.EffectiveTrainWays}-way training tasks");
        }

        if (configuration.Algorithm is "maml" or "fomaml" or "metasgd" or "anil" or "reptile" or "metalstm" or "mann" or "ae-head" && configuration.EffectiveTrainWays != headWays)
        {
            throw new ArgumentException($"{configuration.Algorithm} learns a {headWays}-way head, so it must train with {headWays} ways, not {configuration.EffectiveTrainWays}");
        }

        if (data.InputShape.Count == 1)
        {
            return FeatureLearner(configuration, data.InputShape[0], headWays, inner);
        }

        var normalization = configuration.NormalizationMode;
        var downsampling = configuration.DownsamplingMode;
        Conv4 Classifier(int outputs) => new(data.InputShape, outputs, configuration.Channels, normalization, downsampling);
        return configuration.Algorithm switch
        {
            "maml" => new Maml(Classifier(headWays), TaskKind.Classification, inner),
            "fomaml" => new FirstOrderMaml(Classifier(headWays), TaskKind.Classification, inner),
            "metasgd" => new MetaSgd(Classifier(headWays), TaskKind.Classification, inner),
            "anil" => new Anil(Classifier(headWays), TaskKind.Classification, inner),
            "reptile" => new Reptile(Classifier(headWays), TaskKind.Classification, inner),
            "protonet" => new ProtoNet(Classifier(0)),
            "siamese" => new Siamese(new SiameseNetwork(Classifier(0), SiameseLoss.Verification)),
            "siamese-contrastive" => new Siamese(new SiameseNetwork(Classifier(0), SiameseLoss.Contrastive)),
            "relationnet" => new RelationNet(new RelationNetwork(data.InputShape, configuration.Channels, normalization: normalization)),
            "cactus" => new ProtoNet(Classifier(0), "cactus"),
            "autoencoder" => new MetaAutoencoder(new ConvAutoencoder(data.InputShape), inner),
            "finetune" => new FineTune(Classifier(data.TrainClassCount), Classifier(headWays), inner),
            "metalstm" => new LearnedOptimizer(Classifier(headWays), inner),
            "mann" => new Mann(Classifier(0), headWays, configuration.PretrainIterations),
            "ae-generator" => new AutoencoderGenerator(new ConvAutoencoder(data.InputShape)),
            "ae-head" => new AutoencoderHead(new ConvAutoencoder(data.InputShape), headWays, configuration.PretrainIterations, configuration.TuneCodeLayer, inner),
            _ => throw new ArgumentException($"unknown algorithm '{configuration.Algorithm}': expected one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>The learners that take flat feature vectors ([features] examples), on an MLP.</summary>
    public static IReadOnlyList<string> FeatureLearners { get; } = ["maml", "fomaml", "metasgd", "anil", "reptile", "protonet"];

    /// <summary>
    /// A classifier over flat feature vectors: an MLP of two hidden layers of <see cref="RunConfiguration.Channels"/> units
    /// (features → C → C → ways; ProtoNets embeds into C), as the sinusoid model is an MLP; conv4 needs images.
    /// </summary>
    private static MetaAlgorithm FeatureLearner(RunConfiguration configuration, long features, int ways, InnerLoopOptions inner)
    {
        var hidden = configuration.Channels;
        Mlp Classifier() => new((int)features, hidden, hidden, ways);
        return configuration.Algorithm switch
        {
            "maml" => new Maml(Classifier(), TaskKind.Classification, inner),
            "fomaml" => new FirstOrderMaml(Classifier(), TaskKind.Classification, inner),
            "metasgd" => new MetaSgd(Classifier(), TaskKind.Classification, inner),
            "anil" => new Anil(Classifier(), TaskKind.Classification, inner),
            "reptile" => new Reptile(Classifier(), TaskKind.Classification, inner),
            "protonet" => new ProtoNet(new Mlp((int)features, hidden, hidden)),
            _ when Names.Contains(configuration.Algorithm) => throw new ArgumentException(
                $"{configuration.Algorithm} needs image examples [channels, height, width] for its convolutional model; these examples are flat feature vectors [{features}], "
                + $"which train an MLP with {string.Join(", ", FeatureLearners)}"),
            _ => throw new ArgumentException($"unknown algorithm '{configuration.Algorithm}': expected one of {string.Join(", ", Names)}"),
        };
    }
}
