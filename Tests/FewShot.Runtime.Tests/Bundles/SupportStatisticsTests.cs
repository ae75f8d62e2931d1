using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// A bundle whose normalization takes the support set's statistics (innerLoop.statistics): the steps carry the weights
/// alone, statistics.onnx computes the statistics once, at the last step's weights, and the adapted state holds both.
/// </summary>
public sealed class SupportStatisticsTests
{
    private const int Hidden = TestBundles.Hidden;
    private static readonly float[] Support = BundleTestData.Examples(9);
    private static readonly float[] Query = BundleTestData.Examples(7, seed: 11);
    private static readonly string[] Labels = BundleTestData.Labels(9, "a", "b", "c");

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void TheStatisticsAreTheSupportsAtTheLastStepsWeights(int steps)
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.SupportStatistics(steps: 3));

        AdaptedModel adapted = model.Adapt(Support, Labels, new AdaptOptions { Steps = steps });

        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "bn.weight", "bn.bias", "bn.support_mean", "bn.support_var"], adapted.Tensors.Select(t => t.Name));
        var (mean, variance) = HiddenStatistics(Value(adapted, "fc1.weight"), Value(adapted, "fc1.bias"));
        Tolerance.Close(mean, Value(adapted, "bn.support_mean"), 1e-5, "support mean at θ′");
        Tolerance.Close(variance, Value(adapted, "bn.support_var"), 1e-5, "support variance at θ′");

        // The steps moved the weights, so the statistics at θ₀ would be others: the graph ran at θ′.
        var (initial, _) = HiddenStatistics(TestBundles.Theta(TestBundles.SupportStatistics(), "fc1.weight"), TestBundles.Theta(TestBundles.SupportStatistics(), "fc1.bias"));
        Assert.True(initial.Zip(mean).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "adaptation left fc1 where it was");
    }

    [Fact]
    public void StepByStepGivesTheUnrolledGraphsStateAndQueriesAloneTheirBatchsAnswer()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.SupportStatistics(steps: 3));

        AdaptedModel stepped = model.Adapt(Support, Labels, new AdaptOptions { Steps = 3 });
        AdaptedModel unrolled = model.Adapt(Support, Labels, new AdaptOptions { Steps = 3, Unrolled = true });

        foreach (AdaptedTensor tensor in unrolled.Tensors)
        {
            Tolerance.Close(tensor.Values.ToArray(), Value(stepped, tensor.Name), 1e-5, $"'{tensor.Name}' step by step against adapt_k");
        }

        Assert.False(model.Manifest.PredictionsDependOnBatch);
        IReadOnlyList<Prediction> batch = stepped.Predict(Query);
        for (int i = 0; i < batch.Count; i++)
        {
            Prediction alone = Assert.Single(stepped.Predict(Query.AsMemory(i * TestBundles.Inputs, TestBundles.Inputs)));
            Tolerance.Close(batch[i].Probabilities, alone.Probabilities.ToArray(), 1e-6, $"query {i} alone");
        }
    }

    [Fact]
    public void ABundleWithoutItsStatisticsGraphIsRefusedByName()
    {
        BundleContents contents = TestBundles.SupportStatistics();
        var missing = new BundleContents { Manifest = contents.Manifest, Parameters = contents.Parameters, Predict = contents.Predict, Adapt = contents.Adapt, AdaptK = contents.AdaptK };

        var error = Assert.Throws<ArgumentException>(() => TestBundles.Bytes(missing));

        Assert.Contains("statistics.onnx", error.Message, StringComparison.Ordinal);
    }

    private static float[] Value(AdaptedModel adapted, string name) => adapted.Tensors.Single(t => t.Name == name).Values.ToArray();

    // The hidden layer's pre-activations x·W1ᵀ + b1 over the support set, per unit: mean and biased variance, in double.
    private static (float[] Mean, float[] Variance) HiddenStatistics(float[] weight, float[] bias)
    {
        int count = Support.Length / TestBundles.Inputs;
        var mean = new double[Hidden];
        var square = new double[Hidden];
        for (int n = 0; n < count; n++)
        {
            for (int h = 0; h < Hidden; h++)
            {
                double value = bias[h];
                for (int i = 0; i < TestBundles.Inputs; i++)
                {
                    value += (double)weight[(h * TestBundles.Inputs) + i] * Support[(n * TestBundles.Inputs) + i];
                }

                mean[h] += value / count;
                square[h] += value * value / count;
            }
        }

        return ([.. mean.Select(m => (float)m)], [.. mean.Select((m, h) => (float)(square[h] - (m * m)))]);
    }
}
