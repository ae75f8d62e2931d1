using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch.Models;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>Finds the TorchSharp lowering of each meta-learning algorithm.</summary>
public static class TorchLearners
{
    /// <summary>The lowering of <paramref name="algorithm"/>.</summary>
    /// <exception cref="NotSupportedException">The algorithm has no TorchSharp lowering.</exception>
    public static TorchLearner Create(MetaAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return algorithm switch
        {
            ProtoNet protoNet => new TorchProtoNet(protoNet),
            RelationNet relationNet => new TorchRelationNet(relationNet),
            Siamese siamese => new TorchSiamese(siamese),
            FineTune fineTune => new TorchFineTune(fineTune),
            AutoencoderHead head => new TorchAutoencoderHead(head),
            LearnedOptimizer learned => new TorchLearnedOptimizer(learned),
            Mann mann => new TorchMann(mann),
            AutoencoderGenerator generator => new TorchAutoencoderGenerator(generator),
            GradientLearner learner => new TorchGradientLearner(learner, TorchModels.Lower(learner.Model), Shape(learner)),
            _ => throw new NotSupportedException($"algorithm '{algorithm.Name}' has no TorchSharp lowering"),
        };
    }

    private static InnerLoopShape Shape(GradientLearner learner)
    {
        var names = learner.Model.Parameters.Select(p => p.Name).ToList();
        var adapted = learner.AdaptedParameters.Select(name => names.IndexOf(name)).ToArray();
        var stepRates = learner.Inner.PerStepLearningRates;
        return learner switch
        {
            Maml or MetaAutoencoder => new(adapted, FirstOrder: false, FeaturesOnce: false, LearnedRates: false, Reptile: false, stepRates),
            FirstOrderMaml => new(adapted, FirstOrder: true, FeaturesOnce: false, LearnedRates: false, Reptile: false, stepRates),
            MetaSgd => new(adapted, FirstOrder: false, FeaturesOnce: false, LearnedRates: true, Reptile: false),
            Anil => new(adapted, FirstOrder: false, FeaturesOnce: true, LearnedRates: false, Reptile: false, stepRates),
            Reptile => new(adapted, FirstOrder: true, FeaturesOnce: false, LearnedRates: false, Reptile: true),
            _ => throw new NotSupportedException($"gradient learner '{learner.Name}' has no TorchSharp lowering"),
        };
    }

    /// <summary>True when <paramref name="model"/> has a TorchSharp lowering.</summary>
    public static bool CanLower(IFewShotModel model) => model is Conv4 or Mlp or ConvAutoencoder or LatentClassifier;
}
