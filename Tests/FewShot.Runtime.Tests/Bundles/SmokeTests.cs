using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

public sealed class SmokeTests
{
    [Fact]
    public void EveryKindLoadsAdaptsAndPredicts()
    {
        float[] support = BundleTestData.Examples(6);
        float[] query = BundleTestData.Examples(5, seed: 11);
        string[] labels = BundleTestData.Labels(6, "cat", "dog", "bird");
        foreach (var contents in new[] { TestBundles.Maml(), TestBundles.Maml(metaSgd: true), TestBundles.Anil(), TestBundles.ProtoNet() })
        {
            using FewShotModel model = BundleTestData.Load(contents);
            AdaptedModel adapted = model.Adapt(support, labels);
            IReadOnlyList<Prediction> predictions = adapted.Predict(query);
            Assert.Equal(5, predictions.Count);
            Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 4));
        }

        using (FewShotModel ae = BundleTestData.Load(TestBundles.Autoencoder()))
        {
            Assert.All(ae.AdaptUnlabeled(support).Predict(query), p => Assert.True(p.Score > 0));
        }

        using FewShotModel regression = BundleTestData.Load(TestBundles.Regression());
        Assert.Equal(5, regression.AdaptRegression(BundleTestData.Examples(6, 1), BundleTestData.Examples(6, 1, 3)).PredictValues(BundleTestData.Examples(5, 1)).Count);
    }
}
