using FewShot.Bundles;
using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;
using P = FewShot.Tests.Bundles.GraphParts;

namespace FewShot.Tests.Bundles;

/// <summary>
/// Small real bundles, one per kind the Sdk trains, built from ONNX graphs and our autodiff exactly as the Sdk does:
/// an MLP classifier (MAML, optionally Meta-SGD rates), an ANIL MLP whose one-step graph reads support features, a
/// ProtoNet, an autoencoder and an MLP regressor. Seeded, so every call gives the same bytes.
/// </summary>
internal static class TestBundles
{
    public const int Inputs = 4;
    public const int Hidden = 8;

    /// <summary>
    /// Mlp(<paramref name="inputs"/>, <paramref name="hidden"/>, <paramref name="classes"/>) adapted by SGD on softmax
    /// cross-entropy: MAML (or Meta-SGD, with per-element rates; or with one rate per step, <paramref name="stepRates"/>,
    /// the last one beyond them: the one-step graph then reads "step").
    /// </summary>
    public static BundleContents Maml(
        int steps = 3, float rate = 0.5f, int classes = 3, int minClasses = 2, bool metaSgd = false, int seed = 1, int inputs = Inputs, int hidden = Hidden,
        float[]? stepRates = null)
    {
        TensorProto[] theta = MlpTheta(seed, classes, inputs, hidden);
        float[]? rates = metaSgd ? [.. Enumerable.Range(0, 1000).Select(i => rate * (0.5f + ((i % 7) / 7f)))] : null;
        ModelProto Adapt(int k, bool repeated) => Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string x = g.Input(BundleNames.SupportX, DataType.Float, "n", inputs);
            string y = g.Input(BundleNames.SupportY, DataType.Int64, "n");
            Func<string, string> stepSize = Cached(rates is null
                ? _ => g.Scalar(rate)
                : name => g.Initializer(TensorData.Float($"rate.{name}", [.. Dims(theta, name)], rates.AsSpan(0, Count(theta, name)))));
            Func<int, string, string> perStep = (_, name) => stepSize(name);
            if (stepRates is not null && repeated)
            {
                // The repeated graph picks its step's rate from the table: table[min(step, K − 1)].
                string index = g.Op("Min", [g.Input(BundleNames.Step, DataType.Int64), g.Constant(TensorData.Int64("", [], [stepRates.Length - 1L]))]);
                string picked = g.Op("Gather", [g.Constant(TensorData.Float("", [stepRates.Length], stepRates)), index]);
                perStep = (_, _) => picked;
            }
            else if (stepRates is not null)
            {
                perStep = (step, _) => g.Scalar(stepRates[Math.Min(step, stepRates.Length - 1)]);
            }

            var final = P.Unroll(g, p, [.. theta.Select(t => t.Name)], k, v => Losses.SoftmaxCrossEntropy(g, Mlp(g, x, v), y), CachedPerStep(perStep));
            P.AdaptedOutputs(g, final, theta);
        });

        return new BundleContents
        {
            Manifest = Manifest(metaSgd ? "meta-sgd" : "maml", OutputKind.Logits, classes, new ManifestClasses { Min = minClasses, Max = classes },
                Loop(steps, rate, [.. theta.Select(t => t.Name)])) with
            {
                Input = new ManifestInput { Shape = [inputs], Normalization = new ManifestNormalization { Text = "unit Gaussian features" } },
            },
            Parameters = theta,
            Predict = Predict(theta, g => Mlp(g, BundleNames.X, P.ParameterInputs(g, theta)), classes, inputs),
            Adapt = Adapt(1, repeated: true),
            AdaptK = Adapt(steps, repeated: false),
        };
    }

    /// <summary>
    /// Mlp(4, 8, 3) adapting only its head (fc2): adapt_k runs the body once on support_x; the one-step adapt.onnx reads
    /// "support_features", which the runtime computes once per adaptation from predict's "features".
    /// </summary>
    public static BundleContents Anil(int steps = 4, float rate = 0.5f, int seed = 2)
    {
        TensorProto[] theta = MlpTheta(seed, 3);
        TensorProto[] head = [.. theta.Where(t => t.Name.StartsWith("fc2", StringComparison.Ordinal))];
        string[] headNames = [.. head.Select(t => t.Name)];
        ModelProto Adapt(int k, bool fromFeatures) => Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, fromFeatures ? head : theta);
            string y = g.Input(BundleNames.SupportY, DataType.Int64, "n");
            string features = fromFeatures
                ? g.Input(BundleNames.SupportFeatures, DataType.Float, "n", Hidden)
                : Body(g, g.Input(BundleNames.SupportX, DataType.Float, "n", Inputs), p);
            var final = P.Unroll(g, p, headNames, k, v => Losses.SoftmaxCrossEntropy(g, P.Linear(g, features, v, "fc2"), y), Cached(_ => g.Scalar(rate)));
            P.AdaptedOutputs(g, final, head);
        });

        ModelProto predict = Build("predict", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string features = Body(g, g.Input(BundleNames.X, DataType.Float, "n", Inputs), p);
            P.NamedOutput(g, P.Linear(g, features, p, "fc2"), BundleNames.Output, "n", 3);
            P.NamedOutput(g, features, BundleNames.Features, "n", Hidden);
        });

        return new BundleContents
        {
            Manifest = Manifest("anil", OutputKind.Logits, 3, new ManifestClasses { Min = 2, Max = 3 }, Loop(steps, rate, headNames)),
            Parameters = theta,
            Predict = predict,
            Adapt = Adapt(1, fromFeatures: true),
            AdaptK = Adapt(steps, fromFeatures: false),
        };
    }

    /// <summary>A ProtoNet over the encoder Relu(Linear(4 → <paramref name="embedding"/>)): prototypes are class means; logits are −squared distances.</summary>
    public static BundleContents ProtoNet(int embedding = 5, int seed = 3)
    {
        var random = new Random(seed);
        TensorProto[] theta = [P.RandomTensor("enc.weight", random, 0.6f, embedding, Inputs), P.RandomTensor("enc.bias", random, 0.3f, embedding)];
        string Encode(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p) => g.Op("Relu", [P.Linear(g, x, p, "enc")]);
        ModelProto adapt = Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string x = g.Input(BundleNames.SupportX, DataType.Float, "n", Inputs);
            string y = g.Input(BundleNames.SupportY, DataType.Int64, "n");
            P.NamedOutput(g, P.Prototypes(g, Encode(g, x, p), y), BundleNames.Prototypes, "N", embedding);
        });
        ModelProto predict = Build("predict", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string prototypes = g.Input(BundleNames.Prototypes, DataType.Float, "N", embedding);
            string distances = Losses.SquaredEuclideanDistances(g, Encode(g, BundleNames.X, p), prototypes);
            P.NamedOutput(g, g.Op("Neg", [distances]), BundleNames.Output, "n", "N");
        }, declareX: true);

        return new BundleContents
        {
            Manifest = Manifest("protonet", OutputKind.Embedding, embedding, new ManifestClasses { Min = 2, Max = null }, null),
            Parameters = theta,
            Predict = predict,
            Adapt = adapt,
        };
    }

    /// <summary>An autoencoder 4 → 2 (tanh) → 4 adapted by SGD on reconstruction MSE; "score" is each example's MSE.</summary>
    public static BundleContents Autoencoder(int steps = 3, float rate = 0.3f, int seed = 4)
    {
        var random = new Random(seed);
        TensorProto[] theta =
        [
            P.RandomTensor("enc.weight", random, 0.7f, 2, Inputs), P.RandomTensor("enc.bias", random, 0.2f, 2),
            P.RandomTensor("dec.weight", random, 0.7f, Inputs, 2), P.RandomTensor("dec.bias", random, 0.2f, Inputs),
        ];
        string Reconstruct(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p) =>
            P.Linear(g, g.Op("Tanh", [P.Linear(g, x, p, "enc")]), p, "dec");
        ModelProto Adapt(int k) => Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string x = g.Input(BundleNames.SupportX, DataType.Float, "n", Inputs);
            var final = P.Unroll(g, p, [.. theta.Select(t => t.Name)], k, v => Losses.MeanSquaredError(g, Reconstruct(g, x, v), x), Cached(_ => g.Scalar(rate)));
            P.AdaptedOutputs(g, final, theta);
        });
        ModelProto predict = Build("predict", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string reconstruction = Reconstruct(g, BundleNames.X, p);
            string error = g.Op("Sub", [reconstruction, BundleNames.X]);
            string score = g.Op("ReduceMean", [g.Op("Mul", [error, error])], Attr.Ints("axes", 1), Attr.Int("keepdims", 0));
            P.NamedOutput(g, reconstruction, BundleNames.Output, "n", Inputs);
            P.NamedOutput(g, score, BundleNames.Score, "n");
        }, declareX: true);

        return new BundleContents
        {
            Manifest = Manifest("meta-autoencoder", OutputKind.Reconstruction, Inputs, null, Loop(steps, rate, [.. theta.Select(t => t.Name)])),
            Parameters = theta,
            Predict = predict,
            Adapt = Adapt(1),
            AdaptK = Adapt(steps),
        };
    }

    /// <summary>Mlp(1, 8, 1) adapted by SGD on MSE, as the MAML sinusoid model (smaller).</summary>
    public static BundleContents Regression(int steps = 2, float rate = 0.05f, int seed = 5)
    {
        var random = new Random(seed);
        TensorProto[] theta =
        [
            P.RandomTensor("fc1.weight", random, 0.9f, Hidden, 1), P.RandomTensor("fc1.bias", random, 0.5f, Hidden),
            P.RandomTensor("fc2.weight", random, 0.5f, 1, Hidden), P.RandomTensor("fc2.bias", random, 0.2f, 1),
        ];
        ModelProto Adapt(int k) => Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, theta);
            string x = g.Input(BundleNames.SupportX, DataType.Float, "n", 1);
            string y = g.Input(BundleNames.SupportY, DataType.Float, "n", 1);
            var final = P.Unroll(g, p, [.. theta.Select(t => t.Name)], k, v => Losses.MeanSquaredError(g, Mlp(g, x, v), y), Cached(_ => g.Scalar(rate)));
            P.AdaptedOutputs(g, final, theta);
        });

        return new BundleContents
        {
            Manifest = Manifest("maml", OutputKind.Regression, 1, null, Loop(steps, rate, [.. theta.Select(t => t.Name)])) with
            {
                Input = new ManifestInput { Shape = [1], Normalization = new ManifestNormalization { Text = "x in [-5, 5], unscaled" } },
            },
            Parameters = theta,
            Predict = Predict(theta, g => Mlp(g, BundleNames.X, P.ParameterInputs(g, theta)), 1, inputs: 1),
            Adapt = Adapt(1),
            AdaptK = Adapt(steps),
        };
    }

    /// <summary>
    /// Mlp(4, 8, 3) with its hidden layer batch-normalized by the support set's statistics (MetaBN), adapted by SGD on
    /// softmax cross-entropy: each step's support pass normalizes by its own statistics; predict normalizes by the adapted
    /// state's "bn.support_mean" and "bn.support_var", which statistics.onnx computes once, at θ′, after the last step
    /// (the manifest's innerLoop.statistics), and adapt_k at the end of its K steps.
    /// </summary>
    public static BundleContents SupportStatistics(int steps = 3, float rate = 0.5f, int seed = 6)
    {
        TensorProto[] weights =
        [
            .. MlpTheta(seed, 3), TensorData.Float("bn.weight", [Hidden], Enumerable.Repeat(1f, Hidden).ToArray()),
            TensorData.Float("bn.bias", [Hidden], new float[Hidden]),
        ];
        TensorProto[] statistics =
        [
            TensorData.Float("bn.support_mean", [Hidden], new float[Hidden]), TensorData.Float("bn.support_var", [Hidden], Enumerable.Repeat(1f, Hidden).ToArray()),
        ];
        string[] adapted = [.. weights.Select(t => t.Name)];
        string Logits(GraphBuilder g, string hidden, IReadOnlyDictionary<string, string> p) => P.Linear(g, g.Op("Relu", [hidden]), p, "fc2");
        string OnSupport(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p) =>
            Logits(g, Normalization.BatchNormTraining(g, P.Linear(g, x, p, "fc1"), p["bn.weight"], p["bn.bias"], rank: 2), p);
        (string Mean, string Variance) Statistics(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p)
        {
            string hidden = P.Linear(g, x, p, "fc1");
            string mean = g.Op("ReduceMean", [hidden], Attr.Ints("axes", [0]), Attr.Int("keepdims", 0));
            string centered = g.Op("Sub", [hidden, mean]);
            return (mean, g.Op("ReduceMean", [g.Op("Mul", [centered, centered])], Attr.Ints("axes", [0]), Attr.Int("keepdims", 0)));
        }

        ModelProto Adapt(int k, bool repeated) => Build("adapt", g =>
        {
            var p = P.ParameterInputs(g, weights);
            string x = g.Input(BundleNames.SupportX, DataType.Float, "n", Inputs);
            string y = g.Input(BundleNames.SupportY, DataType.Int64, "n");
            var final = P.Unroll(g, p, adapted, k, v => Losses.SoftmaxCrossEntropy(g, OnSupport(g, x, v), y), Cached(_ => g.Scalar(rate)));
            P.AdaptedOutputs(g, final, weights);
            if (!repeated)
            {
                (final["bn.support_mean"], final["bn.support_var"]) = Statistics(g, x, final);
                P.AdaptedOutputs(g, final, statistics);
            }
        });

        return new BundleContents
        {
            Manifest = Manifest("maml", OutputKind.Logits, 3, new ManifestClasses { Min = 2, Max = 3 },
                Loop(steps, rate, [.. adapted, .. statistics.Select(t => t.Name)]) with { Statistics = [.. statistics.Select(t => t.Name)] }) with
            {
                FeatureNormalization = FeatureNormalizationNames.Support,
            },
            Parameters = [.. weights, .. statistics],
            Predict = Predict([.. weights, .. statistics], g =>
            {
                var p = P.ParameterInputs(g, [.. weights, .. statistics]);
                string hidden = P.Linear(g, BundleNames.X, p, "fc1");
                string deviation = g.Op("Sqrt", [g.Op("Add", [p["bn.support_var"], g.Scalar(1e-5f)])]);
                string normalized = g.Op("Add", [g.Op("Mul", [g.Op("Div", [g.Op("Sub", [hidden, p["bn.support_mean"]]), deviation]), p["bn.weight"]]), p["bn.bias"]]);
                return Logits(g, normalized, p);
            }, 3),
            Adapt = Adapt(1, repeated: true),
            AdaptK = Adapt(steps, repeated: false),
            Statistics = Build("statistics", g =>
            {
                var p = P.ParameterInputs(g, weights.Where(t => t.Name.StartsWith("fc1.", StringComparison.Ordinal)));
                string x = g.Input(BundleNames.SupportX, DataType.Float, "n", Inputs);
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                (values["bn.support_mean"], values["bn.support_var"]) = Statistics(g, x, p);
                P.AdaptedOutputs(g, values, statistics);
            }),
        };
    }

    /// <summary>The bundle's bytes.</summary>
    public static byte[] Bytes(BundleContents contents) => BundleWriter.ToBytes(contents);

    /// <summary>θ₀ of one parameter.</summary>
    public static float[] Theta(BundleContents contents, string name) =>
        TensorData.ToFloats(contents.Parameters.Single(p => p.Name == name));

    /// <summary>fc1: [hidden, inputs], fc2: [classes, hidden], uniform in ±1/√fan-in as PyTorch initializes, seeded.</summary>
    public static TensorProto[] MlpTheta(int seed, int classes, int inputs = Inputs, int hidden = Hidden)
    {
        var random = new Random(seed);
        float first = 1 / MathF.Sqrt(inputs);
        float second = 1 / MathF.Sqrt(hidden);
        return
        [
            P.RandomTensor("fc1.weight", random, first, hidden, inputs), P.RandomTensor("fc1.bias", random, first, hidden),
            P.RandomTensor("fc2.weight", random, second, classes, hidden), P.RandomTensor("fc2.bias", random, second, classes),
        ];
    }

    private static string Mlp(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p) => P.Linear(g, Body(g, x, p), p, "fc2");

    private static string Body(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p) => g.Op("Relu", [P.Linear(g, x, p, "fc1")]);

    private static ModelProto Predict(TensorProto[] theta, Func<GraphBuilder, string> forward, int outputs, int inputs = Inputs) =>
        Build("predict", g =>
        {
            g.Input(BundleNames.X, DataType.Float, "n", inputs);
            P.NamedOutput(g, forward(g), BundleNames.Output, "n", outputs);
        });

    private static ModelProto Build(string name, Action<GraphBuilder> write, bool declareX = false)
    {
        var g = new GraphBuilder(name);
        if (declareX)
        {
            g.Input(BundleNames.X, DataType.Float, "n", Inputs);
        }

        write(g);
        return g.ToModel();
    }

    private static Func<string, string> Cached(Func<string, string> make)
    {
        var cache = new Dictionary<string, string>(StringComparer.Ordinal);
        return name => cache.TryGetValue(name, out string? value) ? value : cache[name] = make(name);
    }

    private static Func<int, string, string> CachedPerStep(Func<int, string, string> make)
    {
        var cache = new Dictionary<(int, string), string>();
        return (step, name) => cache.TryGetValue((step, name), out string? value) ? value : cache[(step, name)] = make(step, name);
    }

    private static long[] Dims(TensorProto[] theta, string name) => [.. theta.Single(t => t.Name == name).Dims];

    private static int Count(TensorProto[] theta, string name) => (int)TensorData.ElementCount(Dims(theta, name));

    private static ManifestInnerLoop Loop(int steps, float rate, string[] adapted) =>
        new() { Steps = steps, LearningRate = rate, FirstOrder = false, AdaptedParameters = adapted };

    private static ModelManifest Manifest(string algorithm, OutputKind kind, int size, ManifestClasses? classes, ManifestInnerLoop? loop) => new()
    {
        Algorithm = algorithm,
        Model = $"test-{algorithm}",
        Input = new ManifestInput { Shape = [Inputs], Normalization = new ManifestNormalization { Text = "unit Gaussian features", Mean = [0f], Std = [1f] } },
        Output = new ManifestOutput { Kind = kind, Size = size },
        Classes = classes,
        InnerLoop = loop,
        Provenance = new ManifestProvenance { Dataset = "synthetic", Split = "test", Iterations = 0, Seed = 0 },
    };
}
