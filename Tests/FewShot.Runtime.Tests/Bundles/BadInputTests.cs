using FewShot.Exporters.Bundles;
using FewShot.Exporters.Onnx;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Bad calls fail before any graph runs, with an exception that names the problem.</summary>
public sealed class BadInputTests : IDisposable
{
    private static readonly float[] Support = BundleTestData.Examples(6);
    private static readonly string[] SupportLabels = BundleTestData.Labels(6, "a", "b", "c");
    private readonly FewShotModel _model = BundleTestData.Load(TestBundles.Maml());

    public void Dispose() => _model.Dispose();

    [Fact]
    public void SupportOfTheWrongShape() =>
        Throws<ArgumentException>(() => _model.Adapt(new float[10], BundleTestData.Labels(2, "a")), "supportInputs", "hold 10 floats, which is not a whole number of examples of shape [4] (4 floats each)");

    [Fact]
    public void EmptySupport() =>
        Throws<ArgumentException>(() => _model.Adapt(Array.Empty<float>(), Array.Empty<string>()), "supportInputs", "support inputs are empty");

    [Fact]
    public void LabelCountDiffersFromExampleCount()
    {
        Throws<ArgumentException>(() => _model.Adapt(Support, SupportLabels[..5]), "supportLabels", "hold 6 examples but 5 labels were given");
        Throws<ArgumentException>(() => _model.Adapt(Support, SupportLabels[..1]), "supportLabels", "hold 6 examples but 1 label was given");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteSupport(float value)
    {
        float[] support = [.. Support];
        support[9] = value;
        Throws<ArgumentException>(() => _model.Adapt(support, SupportLabels), "supportInputs", $"hold {value} at example 2, element 1; inputs must be finite");
    }

    [Fact]
    public void NonFiniteQuery()
    {
        AdaptedModel adapted = _model.Adapt(Support, SupportLabels);
        float[] query = new float[40];
        query[37] = float.NaN;
        Throws<ArgumentException>(() => adapted.Predict(query), "queryInputs", "query inputs hold NaN at example 9, element 1");
    }

    [Fact]
    public void QueryOfTheWrongShape_OrEmpty()
    {
        AdaptedModel adapted = _model.Adapt(Support, SupportLabels);
        Throws<ArgumentException>(() => adapted.Predict(new float[7]), "queryInputs", "hold 7 floats");
        Throws<ArgumentException>(() => adapted.Predict(new float[1]), "queryInputs", "hold 1 float, which is not a whole number of examples of shape [4] (4 floats each)");
        Throws<ArgumentException>(() => adapted.PredictValues(Array.Empty<float>()), "queryInputs", "query inputs are empty");
    }

    [Fact]
    public void SupportCountThatTheGraphsDoNotTake()
    {
        // Graphs that fix the support batch at 6; bundles normally leave it symbolic.
        BundleContents maml = TestBundles.Maml();
        static ModelProto Fixed(ModelProto model)
        {
            ModelProto copy = model.Clone();
            foreach (ValueInfoProto input in copy.Graph.Input.Where(i => i.Name is "support_x" or "support_y"))
            {
                input.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = 6 };
            }

            return copy;
        }

        using FewShotModel model = BundleTestData.Load(new BundleContents
        {
            Manifest = maml.Manifest, Parameters = maml.Parameters, Predict = maml.Predict, Adapt = Fixed(maml.Adapt), AdaptK = Fixed(maml.AdaptK!),
        });

        Assert.Equal(3, model.Adapt(Support, SupportLabels).Labels.Count);
        Throws<ArgumentException>(() => model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c"), new AdaptOptions { Unrolled = true }), "supportInputs",
            "adapt_k.onnx takes exactly 6 support examples ('support_x' is declared [6, 4]), but 9 were given");
        Throws<ArgumentException>(() => model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c"), new AdaptOptions { Steps = 1 }), "supportInputs",
            "adapt.onnx takes exactly 6 support examples");
    }

    [Fact]
    public void MoreClassesThanTheHead() =>
        Throws<ArgumentException>(() => _model.Adapt(BundleTestData.Examples(8), BundleTestData.Labels(8, "a", "b", "c", "d")), null, "has 4 classes but the bundle's head has 3 outputs (classes.max = 3)");

    [Fact]
    public void FewerClassesThanTheMinimum() =>
        Throws<ArgumentException>(() => _model.Adapt(Support, BundleTestData.Labels(6, "only")), null, "has 1 class but this bundle needs at least 2 (classes.min)");

    [Fact]
    public void DeclaredClassWithoutAnExample() =>
        Throws<ArgumentException>(() => _model.Adapt(Support, BundleTestData.Labels(6, "a", "b"), new AdaptOptions { Labels = ["a", "b", "c"] }), "supportLabels", "Class 'c' has no support example");

    [Fact]
    public void SupportLabelOutsideTheDeclaredOnes() =>
        Throws<ArgumentException>(() => _model.Adapt(Support, SupportLabels, new AdaptOptions { Labels = ["a", "b"] }), "supportLabels", "Support label 'c' (example 2) is not one of AdaptOptions.Labels (a, b)");

    [Fact]
    public void NullLabel() =>
        Throws<ArgumentException>(() => _model.Adapt(Support, ["a", "b", null!, "a", "b", "c"]), "supportLabels", "Support label 2 is null");

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" ", "white space only (' ')")]
    [InlineData("\t\n", "white space only")]
    public void EmptyOrBlankLabel_IsRefusedByEveryLabelledAdapt(string blank, string found)
    {
        string[] labels = ["a", "b", blank, "a", "b", "c"];
        string expected = $"Support label 2 is {found}";

        Throws<ArgumentException>(() => _model.Adapt(Support, labels), "supportLabels", expected);
        Throws<ArgumentException>(() => _model.Adapt(Support, labels, null, CancellationToken.None), "supportLabels", expected);
        Throws<ArgumentException>(() => _model.AdaptAsync(Support, labels).GetAwaiter().GetResult(), "supportLabels", expected);
        Throws<ArgumentException>(() => _model.Adapt(Support, SupportLabels, new AdaptOptions { Labels = ["a", blank, "b", "c"] }), "options", $"AdaptOptions.Labels[1] is {found}");
    }

    [Fact]
    public void StepsBelowOne() =>
        Throws<ArgumentOutOfRangeException>(() => _model.Adapt(Support, SupportLabels, new AdaptOptions { Steps = 0 }), "options.Steps", "0");

    [Fact]
    public void TheWrongAdaptForTheBundleKind()
    {
        Throws<InvalidOperationException>(() => _model.AdaptRegression(Support, Support), null, "AdaptRegression (targets) does not apply to this bundle, whose output kind is logits: use Adapt (class labels)");
        Throws<InvalidOperationException>(() => _model.AdaptUnlabeled(Support), null, "use Adapt (class labels)");
        using FewShotModel autoencoder = BundleTestData.Load(TestBundles.Autoencoder());
        Throws<InvalidOperationException>(() => autoencoder.Adapt(Support, SupportLabels), null, "whose output kind is reconstruction: use AdaptUnlabeled");
    }

    [Fact]
    public void RegressionTargetsOfTheWrongCount()
    {
        using FewShotModel regression = BundleTestData.Load(TestBundles.Regression());
        Throws<ArgumentException>(() => regression.AdaptRegression(new float[5], new float[4]), "supportTargets", "hold 5 examples, so 5 targets (1 each) are needed, but 4 were given");
        Throws<ArgumentException>(() => regression.AdaptRegression(new float[1], new float[2]), "supportTargets", "hold 1 example, so 1 target (1 each) is needed, but 2 were given");
        Throws<ArgumentException>(() => regression.AdaptRegression(new float[2], new float[1]), "supportTargets", "hold 2 examples, so 2 targets (1 each) are needed, but 1 was given");
    }

    [Fact]
    public void DivergingAdaptation()
    {
        using FewShotModel unstable = BundleTestData.Load(TestBundles.Maml(rate: 1e30f));
        Throws<NonFiniteResultException>(() => unstable.Adapt(Support, SupportLabels), null, "Adaptation diverged", "holds NaN or infinity after adapt step 2");
    }

    [Fact]
    public void DisposedModel()
    {
        FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel adapted = model.Adapt(Support, SupportLabels);
        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Adapt(Support, SupportLabels));
        Assert.Throws<ObjectDisposedException>(() => adapted.Predict(Support));
        Assert.Throws<ObjectDisposedException>(() => model.LoadAdapted(new MemoryStream()));
    }

    [Fact]
    public async Task CancelledAdaptation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _model.AdaptAsync(Support, SupportLabels, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void MissingBundleFile() =>
        Assert.Throws<FileNotFoundException>(() => FewShotModel.Load(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.fewshot")));

    [Fact]
    public void UnrolledWithAnotherStepCount_IsRejected()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        int k = model.Manifest.InnerLoop!.Steps;
        Throws<ArgumentException>(() => model.Adapt(Support, SupportLabels, new AdaptOptions { Unrolled = true, Steps = k + 1 }), "options",
            $"takes exactly K = {k} steps, but options.Steps is {k + 1}");
    }

    private static void Throws<T>(Action action, string? parameter, params string[] fragments)
        where T : Exception
    {
        T error = Assert.Throws<T>(action);
        if (parameter is not null)
        {
            Assert.Equal(parameter, ((ArgumentException)(Exception)error).ParamName);
        }

        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
