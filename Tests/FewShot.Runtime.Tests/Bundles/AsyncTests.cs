using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

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
}
