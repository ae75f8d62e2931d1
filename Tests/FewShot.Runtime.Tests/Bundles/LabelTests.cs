using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>How the caller's labels become classes.</summary>
public sealed class LabelTests
{
    private static readonly float[] Support = BundleTestData.Examples(6);

    [Fact]
    public void ClassesAreNumberedInOrderOfFirstAppearance()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());

        AdaptedModel adapted = model.Adapt(Support, ["dog", "cat", "dog", "bird", "cat", "bird"]);

        Assert.Equal(["dog", "cat", "bird"], adapted.Labels);
        Assert.All(adapted.Predict(Support), p => Assert.Equal(adapted.Labels[p.ClassIndex], p.Label));
    }

    [Fact]
    public void IntegerLabelsAreTheirInvariantText_AndEqualTheStringForm()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());

        AdaptedModel fromInts = model.Adapt(Support, [7, -1, 7, 30, -1, 30]);
        AdaptedModel fromText = model.Adapt(Support, ["7", "-1", "7", "30", "-1", "30"]);

        Assert.Equal(["7", "-1", "30"], fromInts.Labels);
        Assert.Equal(fromText.Tensors[0].Values.ToArray(), fromInts.Tensors[0].Values.ToArray());
    }

    [Fact]
    public void DeclaredLabelsFixTheClassOrder()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        string[] labels = ["dog", "cat", "dog", "bird", "cat", "bird"];

        AdaptedModel declared = model.Adapt(Support, labels, new AdaptOptions { Labels = ["bird", "cat", "dog"] });
        AdaptedModel renamed = model.Adapt(Support, [.. labels.Select(l => l switch { "bird" => "a", "cat" => "b", _ => "c" })], new AdaptOptions { Labels = ["a", "b", "c"] });

        Assert.Equal(["bird", "cat", "dog"], declared.Labels);
        Assert.Equal(renamed.Tensors[2].Values.ToArray(), declared.Tensors[2].Values.ToArray());
    }

    [Fact]
    public void AHeadWiderThanTheTask_SharesProbabilityAmongTheAdaptedClassesOnly()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml(classes: 5, minClasses: 2));

        AdaptedModel adapted = model.Adapt(Support, BundleTestData.Labels(6, "x", "y", "z"));

        Assert.All(adapted.Predict(Support), p =>
        {
            Assert.Equal(3, p.Probabilities.Count);
            Assert.Equal(1f, p.Probabilities.Sum(), 5);
        });
        Assert.All(adapted.PredictValues(Support), row => Assert.Equal(5, row.Length));
    }

    [Fact]
    public void PrototypeBundlesTakeAnyNumberOfClasses()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.ProtoNet());
        float[] support = BundleTestData.Examples(40);
        string[] labels = [.. Enumerable.Range(0, 40).Select(i => $"class {i % 20}")];

        AdaptedModel adapted = model.Adapt(support, labels);

        Assert.Equal(20, adapted.Labels.Count);
        Assert.Equal([20L, 5L], adapted.Tensors[0].Shape);
        Assert.All(adapted.Predict(support), p => Assert.Equal(20, p.Probabilities.Count));
    }
}
