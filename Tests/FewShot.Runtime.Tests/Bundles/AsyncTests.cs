using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using Microsoft.Extensions.Logging;

namespace FewShot.Runtime.Tests.Bundles;

public sealed class AsyncTests
{
    [Fact]
    public async Task AsyncVariantsGiveTheSyncResults()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fewshot-async-{Guid.NewGuid():N}.fewshot");
        File.WriteAllBytes(path, TestBundles.Bytes(TestBundles.Maml()));
        try
        {
            using FewShotModel model = await FewShotModel.LoadAsync(path, BundleTestData.Options);
            float[] support = BundleTestData.Examples(6);
            string[] labels = BundleTestData.Labels(6, "a", "b");

            AdaptedModel sync = model.Adapt(support, labels, new AdaptOptions { Steps = 2 });
            AdaptedModel async = await model.AdaptAsync(support, labels, new AdaptOptions { Steps = 2 });
            AdaptedModel fromInts = await model.AdaptAsync(support, BundleTestData.Labels(6, "0", "1").Select(int.Parse).ToArray(), new AdaptOptions { Steps = 2 });

            Assert.Equal(sync.Tensors[0].Values.ToArray(), async.Tensors[0].Values.ToArray());
            Assert.Equal(sync.Tensors[0].Values.ToArray(), fromInts.Tensors[0].Values.ToArray());
            Assert.Equal(sync.Predict(support).Select(p => p.Probabilities.ToArray()), (await async.PredictAsync(support)).Select(p => p.Probabilities.ToArray()));
            Assert.Equal(sync.PredictValues(support), await async.PredictValuesAsync(support));

            using FewShotModel autoencoder = BundleTestData.Load(TestBundles.Autoencoder());
            Assert.Equal(autoencoder.AdaptUnlabeled(support).Tensors[0].Values.ToArray(), (await autoencoder.AdaptUnlabeledAsync(support)).Tensors[0].Values.ToArray());
            using FewShotModel regression = BundleTestData.Load(TestBundles.Regression());
            float[] x = BundleTestData.Examples(6, 1);
            Assert.Equal(regression.AdaptRegression(x, x).Tensors[0].Values.ToArray(), (await regression.AdaptRegressionAsync(x, x)).Tensors[0].Values.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadAsync_HandsTheLoggerOn_SoACpuFallbackIsLogged()
    {
        if (CudaSupport.Check().IsAvailable)
        {
            return; // A machine with CUDA has no fallback to log; the CPU-only machines this suite runs on cover it.
        }

        var logger = new ListLogger();
        var options = new RuntimeOptions { Device = ExecutionDevice.Cuda(0), FallbackToCpu = true };

        using FewShotModel model = await FewShotModel.LoadAsync(new MemoryStream(TestBundles.Bytes(TestBundles.Maml())), options, logger);

        Assert.Contains("CPU", Assert.Single(logger.Messages, m => m.Level == LogLevel.Warning).Text);
    }

    [Fact]
    public async Task LoadAsync_FromAPath_HandsTheLoggerOn()
    {
        // An unwritable graph cache warns on any machine: /proc/self takes no new files, even from root.
        string path = Path.Combine(Path.GetTempPath(), $"fewshot-async-{Guid.NewGuid():N}.fewshot");
        File.WriteAllBytes(path, TestBundles.Bytes(TestBundles.Maml()));
        try
        {
            var logger = new ListLogger();
            RuntimeOptions options = BundleTestData.Options;
            options.GraphCacheDirectory = "/proc/self";

            using FewShotModel model = await FewShotModel.LoadAsync(path, options, logger);

            Assert.Contains(logger.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("cannot be created or written to"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadAsync_FromAStream_LoadsTheModelOfTheSyncLoad_AndLeavesTheStreamOpen()
    {
        byte[] bundle = TestBundles.Bytes(TestBundles.Maml());
        using var stream = new MemoryStream(bundle);
        float[] support = BundleTestData.Examples(6);
        string[] labels = BundleTestData.Labels(6, "a", "b");

        using FewShotModel model = await FewShotModel.LoadAsync(stream, BundleTestData.Options);
        using FewShotModel sync = BundleTestData.Load(bundle);

        Assert.Equal(sync.Hash, model.Hash);
        Assert.True(stream.CanRead);
        Assert.Equal(sync.Adapt(support, labels).Tensors[0].Values.ToArray(), model.Adapt(support, labels).Tensors[0].Values.ToArray());
    }

    [Fact]
    public async Task SaveAsyncAndLoadAdaptedAsync_GiveTheSyncFiles_Atomically()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(6), BundleTestData.Labels(6, "x", "y"));
        string folder = Directory.CreateTempSubdirectory("fewshot-async-").FullName;
        try
        {
            string path = Path.Combine(folder, "task.fsadapt");
            var synced = new MemoryStream();
            adapted.Save(synced);
            var streamed = new MemoryStream();

            await adapted.SaveAsync(path);
            await adapted.SaveAsync(streamed);

            Assert.Equal(synced.ToArray(), File.ReadAllBytes(path));
            Assert.Equal(synced.ToArray(), streamed.ToArray());
            Assert.Equal(["task.fsadapt"], Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.Equal(adapted.Tensors[0].Values.ToArray(), (await model.LoadAdaptedAsync(path)).Tensors[0].Values.ToArray());
            streamed.Position = 0;
            Assert.Equal(["x", "y"], (await model.LoadAdaptedAsync(streamed)).Labels);
            await Assert.ThrowsAsync<InvalidOperationException>(() => adapted.SaveAsync(path, "user-1"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ACancelledToken_StopsEveryFileAndStreamCall_BeforeItStarts()
    {
        byte[] bundle = TestBundles.Bytes(TestBundles.Maml());
        using FewShotModel model = BundleTestData.Load(bundle);
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(6), BundleTestData.Labels(6, "x", "y"));
        var state = new MemoryStream();
        adapted.Save(state);
        string folder = Directory.CreateTempSubdirectory("fewshot-async-").FullName;
        string bundlePath = Path.Combine(folder, "model.fewshot");
        string statePath = Path.Combine(folder, "task.fsadapt");
        File.WriteAllBytes(bundlePath, bundle);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FewShotModel.LoadAsync(bundlePath, BundleTestData.Options, null, cancelled.Token));
            // The form without a logger, as callers wrote it before the logger was added.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FewShotModel.LoadAsync(bundlePath, BundleTestData.Options, cancelled.Token));
            var bundleStream = new MemoryStream(bundle);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FewShotModel.LoadAsync(bundleStream, BundleTestData.Options, null, cancelled.Token));
            Assert.Equal(0, bundleStream.Position);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => adapted.SaveAsync(statePath, cancelled.Token));
            Assert.False(File.Exists(statePath));
            var stateStream = new MemoryStream();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => adapted.SaveAsync(stateStream, cancelled.Token));
            Assert.Equal(0, stateStream.Length);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.LoadAdaptedAsync(new MemoryStream(state.ToArray()), cancelled.Token));
            File.WriteAllBytes(statePath, state.ToArray());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.LoadAdaptedAsync(statePath, cancelled.Token));
            Assert.Equal(["model.fewshot", "task.fsadapt"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
