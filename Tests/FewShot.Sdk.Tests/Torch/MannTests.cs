using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Bundles;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// MANN's two lowerings agree (the TorchSharp sequence against the exported Scan graph, the read-only queries against predict),
/// and MANN meta-trains on a small Omniglot subset to classify new characters well above chance through FewShot.Runtime,
/// with its sequence predictions better at a class's later instances than at its first.
/// </summary>
public sealed class MannTests
{
    private static readonly Lazy<(IFewShotDataset Train, IFewShotDataset Test)> Subset = new(() =>
    {
        var splits = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        return (new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 100).ToArray()), new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 60).ToArray()));
    });

    [Fact]
    public void TorchSequenceAndQueriesMatchTheExportedGraphs()
    {
        TorchSetup.Initialize();
        var algorithm = (Mann)BundleExportTests.Create("mann");
        var values = algorithm.Initialize(new Random(7));
        var task = ParityTasks.Task(TaskKind.Classification, algorithm.Model, seed: 11);
        var (specs, state) = algorithm.DeploymentState(values);
        var adapted = OnnxReference.Run(algorithm.BuildAdapt(1), specs, state, task);
        var predictValues = specs.Select((s, i) => algorithm.Network.ReadState.Contains(s.Name) ? adapted[GraphNames.Adapted(s.Name)] : state[i]).ToArray();
        var predicted = OnnxReference.Run(algorithm.BuildPredict(), specs, predictValues, task, taskQueryAsX: true)[GraphNames.Output];

        using var scope = torch.NewDisposeScope();
        var learner = (TorchMann)TorchLearners.Create(algorithm);
        var meta = ParityTasks.Leaves(algorithm.MetaParameters, values);
        var torchTask = new TorchTask(task);
        var (final, _) = learner.Present(meta, learner.Features(meta, torchTask.SupportX), torchTask.SupportY!, Mann.SequenceOrder((int)task.SupportCount));
        var queries = learner.Query(meta, final, learner.Features(meta, torchTask.QueryX));

        var names = algorithm.Network.State().Select(s => s.Name).ToArray();
        ParityAssert.AllClose(final.Select(ParityTasks.Values).ToArray(), names.Select(n => adapted[GraphNames.Adapted(n)]).ToArray(), names, "MANN state after the support sequence,");
        ParityAssert.AllClose([ParityTasks.Values(queries)], [predicted], ["logits"], "MANN queries");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void BundleRemembersNewCharactersThroughTheRuntime()
    {
        using var folder = new TempDirectory();
        var (train, test) = Subset.Value;
        var algorithm = new Mann(new Conv4([1, 28, 28], 0, channels: 16), 5);
        var options = new MetaTrainerOptions { Iterations = 40, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 2 };
        var trained = new TorchMetaTrainer(algorithm, Episodes(train, 2), options).Train();

        var path = folder.File("mann.fewshot");
        var (_, measured) = BundleExport.WriteMeasured(path, algorithm, trained.Parameters, new RunConfiguration { Dataset = "omniglot", Seed = 4 },
            trained.Iteration, steps: 1, Episodes(test, 1), episodes: 20);
        var instances = ((TorchMann)TorchLearners.Create(algorithm)).InstanceAccuracy(trained.Parameters, Episodes(test, 3), episodes: 20, seed: 4);

        Assert.True(measured.Metric.Mean > 0.5, $"5-way 1-shot accuracy of the MANN bundle is {measured.Metric}; chance is 0.2");
        Assert.True(instances[1] > instances[0] + 0.2, $"accuracy by instance {string.Join(", ", instances)}: the second sight of a class should beat the first (chance)");
        using var model = FewShotModel.Load(path);
        Assert.Equal(algorithm.Network.WriteState, model.Manifest.InnerLoop!.CarriedState);
    }

    private static EpisodeTaskSource Episodes(IFewShotDataset data, int shots) => new(new EpisodeSampler(data, 5, shots, 5));
}
