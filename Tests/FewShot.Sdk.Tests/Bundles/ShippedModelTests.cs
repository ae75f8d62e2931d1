using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// The bundles in models/ load in FewShot.Runtime, recognise Omniglot characters they never saw, and are inductive:
/// a query classified alone gets the probabilities it gets in its episode's batch.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ShippedModelTests
{
    [Theory]
    [InlineData("omniglot-protonet-paper", 5, 0.95)]
    [InlineData("omniglot-protonet-lake", 5, 0.93)]
    [InlineData("omniglot-maml-paper", 5, 0.95)]
    [InlineData("omniglot-maml-lake", 5, 0.93)]
    [InlineData("omniglot-maml20-lake", 20, 0.9)]
    [InlineData("omniglot-maml20-paper", 20, 0.93)]
    [InlineData("omniglot-maml-strided-paper", 5, 0.95)]
    public void ShippedBundleAdaptsToUnseenCharactersAndIsInductive(string name, int ways, double required)
    {
        using var model = FewShotModel.Load(Path.Combine(RepoPaths.Root, "models", name + ".fewshot"));
        // Each bundle's own test split: characters it never saw in meta-training.
        var split = name.EndsWith("paper", StringComparison.Ordinal) ? OmniglotSplit.Paper : OmniglotSplit.Lake;
        var test = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { Split = split }).Test;
        var sampler = new EpisodeSampler(test, ways, shots: 1, queries: ways == 5 ? 15 : 5);
        var random = new Random(123);
        double correct = 0, total = 0;
        for (var episode = 0; episode < 10; episode++)
        {
            var task = sampler.Sample(random);
            var adapted = model.Adapt(task.SupportX, task.SupportY.Select(l => $"class{l}").ToArray());
            var predictions = adapted.Predict(task.QueryX);
            correct += predictions.Where((p, i) => p.Label == $"class{task.QueryY[i]}").Count();
            total += predictions.Count;
            if (episode == 0)
            {
                AssertEachQueryAloneGetsItsBatchAnswer(adapted, task.QueryX, predictions, model.ExampleSize);
            }
        }

        Assert.False(model.Manifest.PredictionsDependOnBatch, $"{name} should normalize each example by itself");
        // The floors sit a few points under each card's 600-episode figure: a bundle that regressed fails.
        Assert.True(correct / total > required, $"{name}: {correct / total:P1} of {ways}-way 1-shot queries right, expected above {required:P0}");
    }

    private static void AssertEachQueryAloneGetsItsBatchAnswer(AdaptedModel adapted, float[] queries, IReadOnlyList<Prediction> batch, int size)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var alone = Assert.Single(adapted.Predict(queries.AsSpan(i * size, size).ToArray()));
            Assert.Equal(batch[i].Label, alone.Label);
            for (var c = 0; c < batch[i].Probabilities.Count; c++)
            {
                Assert.Equal(batch[i].Probabilities[c], alone.Probabilities[c], 1e-5);
            }
        }
    }
}
