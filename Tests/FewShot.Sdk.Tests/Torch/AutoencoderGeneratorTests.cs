using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using TorchSharp;
using FewShot.Tests.Shared;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// ae-generator: an LSTM writes the autoencoder's decoder biases from the support set. Its two lowerings agree, the
/// bundle's adaptation is one pass that a second pass leaves unchanged, and after a short meta-training the generated
/// biases reconstruct new characters better than the same autoencoder with nothing generated.
/// </summary>
public sealed class AutoencoderGeneratorTests(ITestOutputHelper output)
{
    [Fact]
    public void TorchAdaptationAndReconstructionMatchTheExportedGraphs()
    {
        TorchSetup.Initialize();
        var algorithm = new AutoencoderGenerator(ParityTasks.Autoencoder(), hiddenSize: 6);
        var values = WithRandomOutputWeights(algorithm, algorithm.Initialize(new Random(7)));
        var task = ParityTasks.Task(TaskKind.Reconstruction, algorithm.Model, seed: 11);
        var (specs, state) = algorithm.DeploymentState(values);
        var adapted = OnnxReference.Run(algorithm.BuildAdapt(1), specs, state, task);
        var predictValues = specs.Select((s, i) => adapted.TryGetValue(GraphNames.Adapted(s.Name), out var v) ? v : state[i]).ToArray();
        var predicted = OnnxReference.Run(algorithm.BuildPredict(), specs, predictValues, task, taskQueryAsX: true);

        using var scope = torch.NewDisposeScope();
        var learner = (TorchAutoencoderGenerator)TorchLearners.Create(algorithm);
        var torchTask = new TorchTask(task);
        var model = learner.Adapt(ParityTasks.Leaves(algorithm.MetaParameters, values), torchTask.SupportX);
        var reconstruction = TorchModels.Lower(algorithm.Model).Forward(model, torchTask.QueryX);

        var names = AutoencoderGenerator.GeneratedNames.ToArray();
        var indices = names.Select(n => algorithm.Model.Parameters.Select(p => p.Name).ToList().IndexOf(n)).ToArray();
        ParityAssert.AllClose([.. indices.Select(i => ParityTasks.Values(model[i]))], [.. names.Select(n => adapted[GraphNames.Adapted(n)])], names, "generated decoder biases,");
        ParityAssert.AllClose([ParityTasks.Values(reconstruction)], [predicted[GraphNames.Output]], ["reconstruction"], "queries");

        // Generation changed the biases, so the comparison above compares something the support set decided.
        var moved = indices.Max(i => ParityTasks.Values(model[i]).Zip(state[i]).Max(p => Math.Abs(p.First - p.Second)));
        Assert.True(moved > 1e-3, $"the generated biases differ from the base biases by at most {moved:E2}");
    }

    [Fact]
    public void MetaParametersLeaveOutTheGeneratedBiasesAndTheStateRestoresThem()
    {
        var algorithm = new AutoencoderGenerator(ParityTasks.Autoencoder(), hiddenSize: 6);
        var meta = algorithm.MetaParameters.Select(p => p.Name).ToArray();
        Assert.DoesNotContain("expand.bias", meta);
        Assert.Contains("generator.expand_bias.bias", meta);

        var values = algorithm.Initialize(new Random(3));
        var (specs, state) = algorithm.DeploymentState(values);
        var expand = specs.Select(s => s.Name).ToList().IndexOf("expand.bias");
        Assert.Equal(values[Array.IndexOf(meta, "generator.expand_bias.bias")], state[expand]);
        Assert.Throws<ArgumentException>(() => algorithm.DeploymentState(values[1..]));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void GeneratedBiasesReconstructNewCharactersBetterThanNone()
    {
        using var folder = new TempDirectory();
        var (trainData, testData) = OmniglotSubset.Both;
        var algorithm = new AutoencoderGenerator(new ConvAutoencoder([1, 28, 28]));
        var train = OmniglotSubset.Episodes(trainData, ways: 5, shots: 5, queries: 5);
        var test = OmniglotSubset.Episodes(testData, ways: 5, shots: 5, queries: 5);
        var trained = new TorchMetaTrainer(algorithm, train, new MetaTrainerOptions { Iterations = 300, MetaBatch = 1, MetaLearningRate = 1e-3, Seed = 2 }).Train(folder.Path);

        var bundle = folder.File("ae-generator.fewshot");
        var (_, generated) = BundleExport.WriteMeasured(bundle, algorithm, trained.Parameters,
            new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = "ae-generator", Dataset = "omniglot", Seed = 4 }, trained.Iteration, steps: 1, test, episodes: 60);
        var none = Evaluator.Evaluate(algorithm, algorithm.WithoutGeneration(trained.Parameters), test, 60, steps: 1, seed: 4);
        var untrained = Evaluator.Evaluate(algorithm, algorithm.Initialize(new Random(2)), test, 60, steps: 1, seed: 4);
        output.WriteLine($"query MSE, 5 new characters x 5 shots: generated {generated.Metric}, nothing generated {none.Metric}, untrained {untrained.Metric}");
        Assert.True(generated.Metric.Mean < 0.5 * untrained.Metric.Mean, $"after 300 iterations the MSE is {generated.Metric}, untrained {untrained.Metric}");
        Assert.True(generated.Metric.Mean < 0.97 * none.Metric.Mean, $"generated biases give MSE {generated.Metric}, nothing generated {none.Metric}");

        // On the device: one pass; a second pass over the same support set writes the same state.
        using var model = FewShotModel.Load(bundle);
        var task = test.Sample(new Random(9));
        var once = model.AdaptUnlabeled(task.SupportX).AnomalyScores(task.QueryX);
        var thrice = model.AdaptUnlabeled(task.SupportX, new AdaptOptions { Steps = 3 }).AnomalyScores(task.QueryX);
        Assert.Equal(once, thrice);
        Assert.All(once, s => Assert.True(float.IsFinite(s) && s >= 0, $"anomaly score {s}"));
    }

    // Fresh output weights are zero (the generator starts task-independent); parity needs them to carry the set's signal.
    private static float[][] WithRandomOutputWeights(AutoencoderGenerator algorithm, float[][] values)
    {
        var random = new Random(5);
        var weights = algorithm.Generator.Targets.Select(t => algorithm.Generator.WeightOf(t.Name)).ToHashSet();
        return [.. algorithm.MetaParameters.Select((s, i) => weights.Contains(s.Name)
            ? [.. values[i].Select(_ => (float)(random.NextDouble() - 0.5))]
            : values[i])];
    }
}
