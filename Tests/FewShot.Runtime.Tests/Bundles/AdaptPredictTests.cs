using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Adaptation and prediction against hand-differentiated references, for every kind of bundle.</summary>
public sealed class AdaptPredictTests
{
    private static readonly float[] Support = BundleTestData.Examples(9);
    private static readonly float[] Query = BundleTestData.Examples(7, seed: 11);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Maml_ThetaPrimeAndPredictionsMatchHandDifferentiatedSgd(int steps)
    {
        BundleContents contents = TestBundles.Maml(steps: 3, rate: 0.5f);
        using FewShotModel model = BundleTestData.Load(contents);
        string[] labels = BundleTestData.Labels(9, "a", "b", "c");

        AdaptedModel adapted = model.Adapt(Support, labels, new AdaptOptions { Steps = steps });

        var reference = new MlpReference(contents);
        for (int s = 0; s < steps; s++)
        {
            reference.StepCrossEntropy(Support, [.. labels.Select(l => (long)(l[0] - 'a'))], (_, _) => 0.5);
        }

        AssertState(reference, adapted, "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        double[] logits = reference.Forward(Query, out _, out _);
        IReadOnlyList<Prediction> predictions = adapted.Predict(Query);
        for (int i = 0; i < predictions.Count; i++)
        {
            float[] expected = Softmax(logits.AsSpan(i * 3, 3));
            Tolerance.Close(expected, predictions[i].Probabilities.ToArray(), Tolerance.Reference, $"query {i} probabilities");
            Assert.Equal(Array.IndexOf(expected, expected.Max()), predictions[i].ClassIndex);
            Assert.Equal(adapted.Labels[predictions[i].ClassIndex], predictions[i].Label);
        }
    }

    [Fact]
    public void MetaSgd_StepsWithThePerElementRatesBakedIntoTheGraphs()
    {
        BundleContents contents = TestBundles.Maml(steps: 2, rate: 0.4f, metaSgd: true);
        using FewShotModel model = BundleTestData.Load(contents);
        string[] labels = BundleTestData.Labels(9, "a", "b", "c");

        AdaptedModel adapted = model.Adapt(Support, labels, new AdaptOptions { Steps = 3 });

        var reference = new MlpReference(contents);
        for (int s = 0; s < 3; s++)
        {
            reference.StepCrossEntropy(Support, [.. labels.Select(l => (long)(l[0] - 'a'))], (_, i) => 0.4f * (0.5f + ((i % 7) / 7f)));
        }

        AssertState(reference, adapted, "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void PerStepRates_EachStepTakesItsOwnRate_AndTheLastOneBeyondThem(int steps)
    {
        float[] rates = [0.5f, 0.2f, 0.8f];
        BundleContents contents = TestBundles.Maml(steps: 3, stepRates: rates);
        using FewShotModel model = BundleTestData.Load(contents);
        string[] labels = BundleTestData.Labels(9, "a", "b", "c");

        AdaptedModel adapted = model.Adapt(Support, labels, new AdaptOptions { Steps = steps });

        var reference = new MlpReference(contents);
        for (int s = 0; s < steps; s++)
        {
            reference.StepCrossEntropy(Support, [.. labels.Select(l => (long)(l[0] - 'a'))], (_, _) => rates[Math.Min(s, rates.Length - 1)]);
        }

        AssertState(reference, adapted, "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void Anil_AdaptsOnlyTheHead_FromFeaturesComputedOnce(int steps)
    {
        BundleContents contents = TestBundles.Anil(steps: 4);
        using FewShotModel model = BundleTestData.Load(contents);
        string[] labels = BundleTestData.Labels(9, "x", "y", "z");

        AdaptedModel adapted = model.Adapt(Support, labels, new AdaptOptions { Steps = steps });

        var reference = new MlpReference(contents);
        for (int s = 0; s < steps; s++)
        {
            reference.StepCrossEntropy(Support, [.. labels.Select(l => (long)(l[0] - 'x'))], (_, _) => 0.5, headOnly: true);
        }

        Assert.Equal(["fc2.weight", "fc2.bias"], adapted.Tensors.Select(t => t.Name));
        AssertState(reference, adapted, "fc2.weight", "fc2.bias");
    }

    [Fact]
    public void Regression_ThetaPrimeAndValuesMatchHandDifferentiatedSgd()
    {
        BundleContents contents = TestBundles.Regression(steps: 2, rate: 0.05f);
        using FewShotModel model = BundleTestData.Load(contents);
        float[] x = BundleTestData.Examples(6, 1, seed: 20);
        float[] y = [.. x.Select(v => 2 * MathF.Sin(v + 0.5f))];
        float[] queries = BundleTestData.Examples(4, 1, seed: 21);

        AdaptedModel adapted = model.AdaptRegression(x, y, new AdaptOptions { Steps = 3 });

        var reference = new MlpReference(contents);
        for (int s = 0; s < 3; s++)
        {
            reference.StepMeanSquaredError(x, y, 0.05);
        }

        AssertState(reference, adapted, "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        float[] expected = [.. reference.Forward(queries, out _, out _).Select(v => (float)v)];
        Tolerance.Close(expected, adapted.PredictValues(queries).SelectMany(r => r).ToArray(), Tolerance.Reference, "values");
        Assert.Throws<InvalidOperationException>(() => adapted.Predict(queries));
    }

    [Fact]
    public void ProtoNet_PrototypesAreClassMeansAndProbabilitiesSoftmaxNegativeSquaredDistances()
    {
        BundleContents contents = TestBundles.ProtoNet(embedding: 5);
        using FewShotModel model = BundleTestData.Load(contents);
        string[] labels = BundleTestData.Labels(9, "p", "q", "r", "s");

        AdaptedModel adapted = model.Adapt(Support, labels, new AdaptOptions { Steps = 7 });

        float[] w = TestBundles.Theta(contents, "enc.weight");
        float[] b = TestBundles.Theta(contents, "enc.bias");
        double[][] Embed(float[] x) => [.. Enumerable.Range(0, x.Length / 4).Select(i =>
            Enumerable.Range(0, 5).Select(o => Math.Max(0, b[o] + Enumerable.Range(0, 4).Sum(j => (double)x[(i * 4) + j] * w[(o * 4) + j]))).ToArray())];
        double[][] support = Embed(Support);
        double[][] prototypes = [.. Enumerable.Range(0, 4).Select(c =>
            Enumerable.Range(0, 5).Select(d => Enumerable.Range(0, 9).Where(i => i % 4 == c).Average(i => support[i][d])).ToArray())];
        AdaptedTensor stored = Assert.Single(adapted.Tensors);
        Assert.Equal("prototypes", stored.Name);
        Assert.Equal([4L, 5L], stored.Shape);
        Tolerance.Close([.. prototypes.SelectMany(p => p).Select(v => (float)v)], stored.Values.Span, Tolerance.Reference, "prototypes");

        IReadOnlyList<Prediction> predictions = adapted.Predict(Query);
        double[][] query = Embed(Query);
        for (int i = 0; i < predictions.Count; i++)
        {
            double[] logits = [.. prototypes.Select(p => -p.Select((v, d) => (v - query[i][d]) * (v - query[i][d])).Sum())];
            Tolerance.Close(Softmax(logits), predictions[i].Probabilities.ToArray(), Tolerance.Reference, $"query {i}");
        }
    }

    [Fact]
    public void Autoencoder_MatchesItsAdaptGraphRunDirectly_AndScoresTheReconstructionError()
    {
        BundleContents contents = TestBundles.Autoencoder(steps: 3);
        byte[] bundle = TestBundles.Bytes(contents);
        using FewShotModel model = BundleTestData.Load(bundle);

        AdaptedModel adapted = model.AdaptUnlabeled(Support, new AdaptOptions { Steps = 2 });

        // Reference: the bundle's one-step graph run twice through a plain session, feeding θ′ back by hand.
        using var sessionOptions = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(BundleFile.ReadEntry(new MemoryStream(bundle), BundleNames.AdaptEntry), sessionOptions);
        var theta = contents.Parameters.ToDictionary(p => p.Name, p => TestBundles.Theta(contents, p.Name));
        for (int step = 0; step < 2; step++)
        {
            var feeds = contents.Parameters.ToDictionary(p => p.Name, p => Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(theta[p.Name], [.. p.Dims]));
            feeds[BundleNames.SupportX] = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(Support, [9, 4]);
            using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            string[] outputNames = [.. contents.Parameters.Select(p => BundleNames.Adapted(p.Name))];
            using var outputs = session.Run(runOptions, feeds, outputNames);
            theta = contents.Parameters.Select((p, i) => (p.Name, Values: outputs[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(t => t.Name, t => t.Values);
            foreach (var feed in feeds.Values)
            {
                feed.Dispose();
            }
        }

        foreach (AdaptedTensor tensor in adapted.Tensors)
        {
            Tolerance.Close(theta[tensor.Name], tensor.Values.Span, 1e-6, tensor.Name);
        }

        IReadOnlyList<float[]> reconstructions = adapted.PredictValues(Query);
        IReadOnlyList<Prediction> predictions = adapted.Predict(Query);
        for (int i = 0; i < predictions.Count; i++)
        {
            double mse = reconstructions[i].Select((r, j) => (r - Query[(i * 4) + j]) * (double)(r - Query[(i * 4) + j])).Average();
            Assert.Equal(mse, predictions[i].Score!.Value, 5);
            Assert.Null(predictions[i].Label);
            Assert.Empty(predictions[i].Probabilities);
        }
    }

    [Theory]
    [MemberData(nameof(GradientBundles))]
    public void OneStepGraphRunKTimes_EqualsTheUnrolledGraph(string name)
    {
        BundleContents contents = GradientBundle(name);
        using FewShotModel model = BundleTestData.Load(contents);
        int k = model.Manifest.InnerLoop!.Steps;

        AdaptedModel unrolled = Adapt(model, new AdaptOptions { Unrolled = true });
        AdaptedModel stepped = Adapt(model, new AdaptOptions { Steps = k });

        for (int t = 0; t < unrolled.Tensors.Count; t++)
        {
            Tolerance.Close(unrolled.Tensors[t].Values.ToArray(), stepped.Tensors[t].Values.Span, 1e-5, $"{name} {unrolled.Tensors[t].Name}");
        }
    }

    public static TheoryData<string> GradientBundles() => ["maml", "meta-sgd", "step-rates", "anil", "autoencoder", "regression", "support-statistics"];

    internal static BundleContents GradientBundle(string name) => name switch
    {
        "maml" => TestBundles.Maml(),
        "meta-sgd" => TestBundles.Maml(metaSgd: true),
        "step-rates" => TestBundles.Maml(stepRates: [0.5f, 0.2f, 0.8f]),
        "anil" => TestBundles.Anil(),
        "autoencoder" => TestBundles.Autoencoder(),
        "regression" => TestBundles.Regression(),
        "protonet" => TestBundles.ProtoNet(),
        "support-statistics" => TestBundles.SupportStatistics(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test bundle"),
    };

    /// <summary>Adapts any kind of test bundle to the shared support set.</summary>
    internal static AdaptedModel Adapt(FewShotModel model, AdaptOptions? options = null) => model.Kind switch
    {
        OutputKind.Reconstruction => model.AdaptUnlabeled(Support, options),
        OutputKind.Regression => model.AdaptRegression(Support.AsMemory(0, 9), Support.AsMemory(9, 9), options),
        _ => model.Adapt(Support, BundleTestData.Labels(9, "a", "b", "c"), options),
    };

    private static void AssertState(MlpReference reference, AdaptedModel adapted, params string[] names)
    {
        foreach (string name in names)
        {
            AdaptedTensor tensor = adapted.Tensors.Single(t => t.Name == name);
            Tolerance.Close(reference.Get(name), tensor.Values.Span, Tolerance.Reference, name);
        }
    }

    private static float[] Softmax(ReadOnlySpan<double> logits)
    {
        double max = double.NegativeInfinity;
        foreach (double l in logits)
        {
            max = Math.Max(max, l);
        }

        double[] e = new double[logits.Length];
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = Math.Exp(logits[i] - max);
        }

        return [.. e.Select(v => (float)(v / e.Sum()))];
    }
}
