using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Onnx;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// θ meta-trained on TorchSharp (and Meta-SGD's learned rates) export into the ONNX lowering and adapt graphs, and the
/// bundle, measured through FewShot.Runtime, adapts well: the measurement lands in the manifest.
/// </summary>
public sealed class TorchExportTests
{
    [Theory]
    [InlineData("maml", 0.01f, 10)]
    [InlineData("metasgd", 0.01f, 1)]
    public void ATorchTrainedSinusoidBundleAdaptsThroughTheRuntime(string name, float innerLearningRate, int bundleSteps)
    {
        using var folder = new TempDirectory();
        var algorithm = Algorithms.SinusoidLearningTests.Create(name, Mlp.Sinusoid(), new InnerLoopOptions { Steps = 1, LearningRate = innerLearningRate });
        var tasks = new SinusoidTaskSource(shots: 10, queries: 10);
        var trained = new TorchMetaTrainer(algorithm, tasks, new MetaTrainerOptions { Iterations = 500, MetaBatch = 4, MetaLearningRate = 3e-3, Seed = 1 }) { Threads = 1 }.Train();
        var path = folder.File("sinusoid.fewshot");
        var run = new RunConfiguration { Dataset = "sinusoid", Algorithm = name, Seed = 4 };

        var (_, measured) = BundleExport.WriteMeasured(path, algorithm, trained.Parameters, run, trained.Iteration, bundleSteps, tasks, episodes: 50, threads: 1);
        var unadapted = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 50, steps: 0, seed: 4);

        Assert.False(measured.IsAccuracy);
        Assert.True(measured.Metric.Mean < 0.7 * unadapted.Metric.Mean,
            $"{name}: the bundle's MSE after {bundleSteps} steps through the runtime is {measured.Metric}; unadapted {unadapted.Metric}");
        if (algorithm is MetaSgd)
        {
            // The learned per-parameter rates are the adapt graph's, baked in as initializers.
            var adapt = ModelProto.Parser.ParseFrom(BundleFile.ReadEntry(path, BundleNames.AdaptEntry));
            for (var p = 0; p < algorithm.Model.Parameters.Count; p++)
            {
                var rate = adapt.Graph.Initializer.Single(t => t.Name == GraphNames.LearningRate(algorithm.Model.Parameters[p].Name));
                Assert.Equal(trained.Parameters[algorithm.Model.Parameters.Count + p], rate.FloatData.Count > 0 ? rate.FloatData.ToArray() : FromRaw(rate.RawData.ToByteArray()));
            }
        }
    }

    private static float[] FromRaw(byte[] raw) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray();
}
