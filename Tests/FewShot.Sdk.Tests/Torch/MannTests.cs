using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Tests.Bundles;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// MANN's two lowerings agree: the TorchSharp sequence against the exported Scan graph, the read-only queries against predict.
/// </summary>
public sealed class MannTests
{
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
}
