using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>A gradient learner's exported bundle, adapted through FewShot.Runtime, against TorchSharp's inner loop.</summary>
internal static class RuntimeParity
{
    /// <summary>
    /// Exports <paramref name="values"/> as a bundle of K = <paramref name="bundleSteps"/>, adapts it to
    /// <paramref name="task"/> with <paramref name="steps"/> runs of the one-step graph and asserts every adapted
    /// parameter within 1e-4 (relative) of TorchSharp's; returns the loaded model (for further adaptations) and that adaptation.
    /// </summary>
    public static (FewShotModel Model, AdaptedModel Adapted) AssertAdaptsAsTorchSharp(TempDirectory folder, GradientLearner algorithm, float[][] values, TaskData task, int steps, int bundleSteps)
    {
        var path = folder.File($"{algorithm.Name}.fewshot");
        BundleExport.Write(path, algorithm, values, new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot" }, iterations: 1, steps: bundleSteps, measured: null);
        var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1 });
        var adapted = model.Adapt(task.SupportX, task.SupportLabels!.Select(l => (int)l).ToArray(), new AdaptOptions { Steps = steps });
        using var scope = torch.NewDisposeScope();
        var learner = (TorchGradientLearner)TorchLearners.Create(algorithm);
        var torchTask = new TorchTask(task);
        var expected = learner.Adapt(ParityTasks.Leaves(algorithm.MetaParameters, values), torchTask.SupportX, torchTask.SupportY, steps);
        for (var p = 0; p < algorithm.Model.Parameters.Count; p++)
        {
            var name = algorithm.Model.Parameters[p].Name;
            var error = ParityAssert.RelativeError(adapted.Tensors.Single(t => t.Name == name).Values.ToArray(), ParityTasks.Values(expected[p]));
            Assert.True(error <= 1e-4, $"{steps} steps: the runtime's adapted '{name}' is {error:E2} away from TorchSharp's");
        }

        return (model, adapted);
    }
}
