using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>The bundles in models/ load in FewShot.Runtime and recognise Omniglot characters they never saw.</summary>
[Trait("Category", "Slow")]
public sealed class ShippedModelTests
{
    [Theory]
    [InlineData("omniglot-protonet-paper", 0.9)]
    [InlineData("omniglot-protonet-lake", 0.85)]
    [InlineData("omniglot-maml-paper", 0.8)]
    [InlineData("omniglot-maml-lake", 0.8)]
    public void ShippedBundleAdaptsToUnseenCharacters(string name, double required)
    {
        using var model = FewShotModel.Load(Path.Combine(RepoPaths.Root, "models", name + ".fewshot"));
        // Each bundle's own test split: characters it never saw in meta-training.
        var split = name.EndsWith("paper", StringComparison.Ordinal) ? OmniglotSplit.Paper : OmniglotSplit.Lake;
        var test = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { Split = split }).Test;
        var sampler = new EpisodeSampler(test, ways: 5, shots: 1, queries: 15);
        var random = new Random(123);
        double correct = 0, total = 0;
        for (var episode = 0; episode < 10; episode++)
        {
            var task = sampler.Sample(random);
            var adapted = model.Adapt(task.SupportX, task.SupportY.Select(l => $"class{l}").ToArray());
            var predictions = adapted.Predict(task.QueryX);
            correct += predictions.Where((p, i) => p.Label == $"class{task.QueryY[i]}").Count();
            total += predictions.Count;
        }

        Assert.True(correct / total > required, $"{name}: {correct / total:P1} of 5-way 1-shot queries right, expected above {required:P0}");
    }
}
