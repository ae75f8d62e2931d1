using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// The MAML++ recipe (Antoniou et al., 2019), piece by piece: the multi-step loss weights and their meta-gradient,
/// derivative-order annealing's switch, cosine annealing, per-step learned rates exported so that the runtime adapts as
/// TorchSharp does, and an exact resume with all of it on. (The per-step rates' meta-gradients are checked against the
/// ONNX meta-step in <see cref="LearnerParityTests"/>.)
/// </summary>
public sealed class MamlPlusPlusTests
{

    [Fact]
    public void MultiStepLossWeights_StartEqual_AnnealToTheLastStep_AndSumToOne()
    {
        AssertClose([0.2, 0.2, 0.2, 0.2, 0.2], TrainingSchedules.MultiStepLossWeights(5, 0, 10)!);

        // MAML++'s formula at 3 "epochs" of 10: earlier steps 0.2 − 0.3·0.2, the last 0.2 + 3·4·0.2/10.
        AssertClose([0.14, 0.14, 0.14, 0.14, 0.44], TrainingSchedules.MultiStepLossWeights(5, 3, 10)!);

        // Late in the annealing the earlier steps sit at the floor 0.03/K and the last step takes the rest.
        AssertClose([0.02, 0.02, 0.02, 0.02, 0.92], TrainingSchedules.MultiStepLossWeights(5, 9, 10)!);
        AssertClose([0.006, 0.006, 0.006, 0.006, 0.976], TrainingSchedules.MultiStepLossWeights(5, 99, 100)!);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(1.0, TrainingSchedules.MultiStepLossWeights(5, i, 10)!.Sum(), 12);
        }

        Assert.Null(TrainingSchedules.MultiStepLossWeights(5, 10, 10));
        Assert.Null(TrainingSchedules.MultiStepLossWeights(5, 0, 0));
        Assert.Null(TrainingSchedules.MultiStepLossWeights(1, 0, 10));
    }

    [Fact]
    public void DerivativeOrderAnnealing_IsFirstOrderBeforeTheSwitchAndSecondOrderFrom_It()
    {
        var options = new MetaTrainerOptions { FirstOrderIterations = 5, MultiStepLossIterations = 3 };

        Assert.True(TrainingSchedules.MetaStep(options, 2, 4).FirstOrder);
        Assert.False(TrainingSchedules.MetaStep(options, 2, 5).FirstOrder);
        Assert.NotNull(TrainingSchedules.MetaStep(options, 2, 2).QueryLossWeights);
        Assert.Same(MetaStepSchedule.Default, TrainingSchedules.MetaStep(options, 2, 5));
    }

    [Fact]
    public void CosineAnnealing_FallsFromTheMetaRateToTheMinimumOverTheHorizon()
    {
        var options = new MetaTrainerOptions { MetaLearningRate = 1e-3, MinimumMetaLearningRate = 1e-5, CosineIterations = 100 };

        Assert.Equal(1e-3, TrainingSchedules.MetaLearningRate(options, 0), 15);
        Assert.Equal((1e-3 + 1e-5) / 2, TrainingSchedules.MetaLearningRate(options, 50), 15);
        Assert.Equal(1e-5 + ((1e-3 - 1e-5) * (1 + Math.Cos(Math.PI * 0.25)) / 2), TrainingSchedules.MetaLearningRate(options, 25), 15);
        Assert.Equal(1e-5, TrainingSchedules.MetaLearningRate(options, 100), 15);
        Assert.Equal(1e-5, TrainingSchedules.MetaLearningRate(options, 250), 15);
        Assert.Equal(1e-3, TrainingSchedules.MetaLearningRate(new MetaTrainerOptions { MetaLearningRate = 1e-3 }, 50), 15);
    }

    [Fact]
    public void MultiStepLoss_MetaGradientIsTheWeightedSumOfEachStepsQueryLossGradient()
    {
        // The query loss after step 1 of a two-step MAML is the one-step MAML's query loss (same θ₀, same rate).
        var (two, values, task) = LearnerParityTests.Setup("maml-mlp");
        var one = new Maml(two.Model, two.Task, new InnerLoopOptions { Steps = 1, LearningRate = 0.1f });
        using var scope = torch.NewDisposeScope();
        var learner = (TorchGradientLearner)TorchLearners.Create(two);
        learner.Schedule = new MetaStepSchedule([0.3, 0.7]);

        var weighted = learner.MetaStep(ParityTasks.Leaves(two.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();
        var first = TorchLearners.Create(one).MetaStep(ParityTasks.Leaves(one.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();
        var last = TorchLearners.Create(two).MetaStep(ParityTasks.Leaves(two.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();

        var expected = first.Select((g, p) => g.Select((v, i) => (0.3f * v) + (0.7f * last[p][i])).ToArray()).ToArray();
        var names = two.MetaParameters.Select(p => p.Name).ToArray();
        ParityAssert.AllClose(weighted, expected, names, "multi-step meta-gradient of");
        Assert.True(ParityAssert.RelativeError(weighted[0], last[0]) > 1e-3, "the multi-step loss changed nothing");
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void TheRecipe_BatchedAndPerTaskMetaStepsAgree(bool lslr, bool msl, bool firstOrder)
    {
        // θ₀ from seed 8: with seed 7 a hidden ReLU of θ₁ sits within rounding of its kink for one query, and the two
        // summation orders then pick different sides (2.8e-4 apart, with or without the recipe).
        var algorithm = new Maml(ParityTasks.Mlp(), TaskKind.Regression, new InnerLoopOptions { Steps = 2, LearningRate = 0.1f, PerStepLearningRates = lslr });
        var values = algorithm.Initialize(new Random(8));
        var tasks = Enumerable.Range(0, 3).Select(s => ParityTasks.Task(TaskKind.Regression, algorithm.Model, seed: 20 + s)).ToArray();
        var learner = (TorchGradientLearner)TorchLearners.Create(algorithm);
        learner.Schedule = new MetaStepSchedule(msl ? [0.4, 0.6] : null, FirstOrder: firstOrder);
        Assert.True(learner.CanBatch);

        using var scope = torch.NewDisposeScope();
        var leaves = ParityTasks.Leaves(algorithm.MetaParameters, values);
        var batched = learner.MetaStep(leaves, new TorchTaskBatch(tasks)).Gradients.Select(ParityTasks.Values).ToArray();
        var perTask = tasks.Select(t => learner.MetaStep(leaves, new TorchTask(t)).Gradients.Select(ParityTasks.Values).ToArray()).ToArray();
        var mean = perTask[0].Select((g, p) => g.Select((_, i) => perTask.Average(t => t[p][i])).ToArray()).ToArray();
        ParityAssert.AllClose(batched, mean, algorithm.MetaParameters.Select(p => p.Name).ToArray(), "batched meta-gradient of");
    }

    [Fact]
    public void DerivativeOrderAnnealing_GivesFomamlsGradientWhileFirstOrder()
    {
        var (maml, values, task) = LearnerParityTests.Setup("maml-mlp");
        var (fomaml, _, _) = LearnerParityTests.Setup("fomaml-mlp");
        using var scope = torch.NewDisposeScope();
        var annealed = (TorchGradientLearner)TorchLearners.Create(maml);
        annealed.Schedule = new MetaStepSchedule(FirstOrder: true);

        var early = annealed.MetaStep(ParityTasks.Leaves(maml.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();
        var firstOrder = TorchLearners.Create(fomaml).MetaStep(ParityTasks.Leaves(fomaml.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();
        annealed.Schedule = MetaStepSchedule.Default;
        var late = annealed.MetaStep(ParityTasks.Leaves(maml.MetaParameters, values), new TorchTask(task)).Gradients.Select(ParityTasks.Values).ToArray();

        var names = maml.MetaParameters.Select(p => p.Name).ToArray();
        ParityAssert.AllClose(early, firstOrder, names, "first-order phase meta-gradient of");
        Assert.True(ParityAssert.RelativeError(late[0], early[0]) > 1e-3, "second order after the switch gave the first-order gradient");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void PerStepRates_AreExported_SoTheRuntimeAdaptsAsTorchSharpDoes(int steps)
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 3, LearningRate = 0.1f, PerStepLearningRates = true });
        var values = algorithm.Initialize(new Random(3));
        var random = new Random(4);
        foreach (var rates in values.Skip(algorithm.Model.Parameters.Count))
        {
            for (var k = 0; k < rates.Length; k++)
            {
                rates[k] *= (float)(0.3 + (1.4 * random.NextDouble()));
            }
        }

        var task = ParityTasks.Task(TaskKind.Classification, algorithm.Model, seed: 9);
        var (model, adapted) = RuntimeParity.AssertAdaptsAsTorchSharp(folder, algorithm, values, task, steps, bundleSteps: 3);
        using var loaded = model;

        if (steps == 3)
        {
            var unrolled = model.Adapt(task.SupportX, task.SupportLabels!.Select(l => (int)l).ToArray(), new AdaptOptions { Unrolled = true });
            Assert.True(ParityAssert.RelativeError(unrolled.Tensors[0].Values.ToArray(), adapted.Tensors[0].Values.ToArray()) <= 1e-5);
        }
    }

    [Fact]
    public void AResumedRunWithTheWholeRecipeEndsBitForBitWhereAnUninterruptedOneDoes()
    {
        using var straight = new TempDirectory();
        using var interrupted = new TempDirectory();
        var plain = Trainer(10, recipe: false).Train();

        var expected = ResumeCheck.AssertResumesBitForBit(iterations => Trainer(iterations), 10, 6, straight.Path, interrupted.Path);

        // The learned per-step rates moved away from their start, and the recipe changed the run.
        Assert.Contains(expected.Parameters[^1], r => Math.Abs(r - 0.01f) > 1e-6);
        Assert.NotEqual(plain.Parameters[0], expected.Parameters[0]);
    }

    [Fact]
    public void PiecesThatDoNotApplyAreRefusedWithTheReason()
    {
        var lslr = new InnerLoopOptions { Steps = 2, LearningRate = 0.01f, PerStepLearningRates = true };
        Assert.Contains("already learns a step size", Assert.Throws<ArgumentException>(() => new MetaSgd(Mlp.Sinusoid(), TaskKind.Regression, lslr)).Message);
        Assert.Contains("θ − θ′", Assert.Throws<ArgumentException>(() => new Reptile(Mlp.Sinusoid(), TaskKind.Regression, lslr)).Message);

        var inner = new InnerLoopOptions { Steps = 2, LearningRate = 0.01f };
        var tasks = new SinusoidTaskSource(5, 5);
        var doa = new MetaTrainerOptions { Iterations = 1, FirstOrderIterations = 1 };
        Assert.Contains("first-order throughout", Assert.Throws<ArgumentException>(() =>
            new TorchMetaTrainer(new FirstOrderMaml(Mlp.Sinusoid(), TaskKind.Regression, inner), tasks, doa) { Threads = 1 }.Train()).Message);
        var msl = new MetaTrainerOptions { Iterations = 1, MultiStepLossIterations = 1 };
        Assert.Contains("θ − θ′", Assert.Throws<ArgumentException>(() =>
            new TorchMetaTrainer(new Reptile(Mlp.Sinusoid(), TaskKind.Regression, inner), tasks, msl) { Threads = 1 }.Train()).Message);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
    }

    private static TorchMetaTrainer Trainer(int iterations, bool recipe = true)
    {
        var inner = new InnerLoopOptions { Steps = 2, LearningRate = 0.01f, PerStepLearningRates = recipe };
        var options = recipe
            ? new MetaTrainerOptions { Iterations = iterations, MetaBatch = 3, Seed = 5, CheckpointEvery = 4, MultiStepLossIterations = 5, FirstOrderIterations = 3, CosineIterations = 10 }
            : new MetaTrainerOptions { Iterations = iterations, MetaBatch = 3, Seed = 5, CheckpointEvery = 4 };
        return new TorchMetaTrainer(new Maml(Mlp.Sinusoid(), TaskKind.Regression, inner), new SinusoidTaskSource(5, 5), options) { Threads = 1 };
    }
}
