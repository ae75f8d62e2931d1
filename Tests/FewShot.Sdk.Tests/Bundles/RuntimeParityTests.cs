using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// The deployed runtime adapts exactly as the Sdk does: for the same θ₀ and support set, FewShot.Runtime's adapted
/// state and predictions equal those of the Sdk's own adapt and predict graphs, whether the runtime runs the
/// unrolled graph (S = K) or steps the one-step graph (S ≠ K).
/// </summary>
public sealed class RuntimeParityTests
{
    // Both sides run the same float32 kernels; the one-step path reorders nothing but composes S graphs instead of one,
    // so differences stay at float32 rounding accumulated over a few steps.
    private const float Tolerance = 2e-4f;

    public static TheoryData<string, int> Cases => new()
    {
        { "maml", 3 }, { "maml", 2 }, { "metasgd", 3 }, { "anil", 3 }, { "anil", 5 }, { "protonet", 0 }, { "relationnet", 0 }, { "siamese", 0 }, { "siamese-contrastive", 0 }, { "autoencoder", 3 }, { "finetune", 4 }, { "metalstm", 3 }, { "metalstm", 2 }, { "mann", 1 }, { "mann", 2 }, { "sinusoid-maml", 3 }, { "maml-support", 3 }, { "proto-maml-support", 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RuntimeAdaptationMatchesTheSdk(string name, int steps)
    {
        using var folder = new TempDirectory();
        var algorithm = BundleExportTests.Create(name);
        var random = new Random(3);
        var values = algorithm.Initialize(random);
        var sinusoid = name.StartsWith("sinusoid", StringComparison.Ordinal);
        var task = sinusoid ? new SinusoidTaskSource(10, 6).Sample(random) : RandomTask(random, algorithm.Model.InputShape.Select(d => (int)d).ToArray());
        var path = folder.File("m.fewshot");
        BundleExport.Write(path, algorithm, values, new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = sinusoid ? "sinusoid" : "omniglot" }, iterations: 1, steps: 3, measured: null);

        var (sdkState, sdkOutput) = RunSdk(algorithm, values, task, steps);
        using var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1 });
        var options = new AdaptOptions { Steps = steps == 0 ? null : steps };
        var adapted = algorithm.Task switch
        {
            TaskKind.Classification => model.Adapt(task.SupportX, task.SupportLabels!.Select(l => (int)l).ToArray(), options),
            TaskKind.Regression => model.AdaptRegression(task.SupportX, task.SupportTargets!, options),
            _ => model.AdaptUnlabeled(task.SupportX, options),
        };

        foreach (var (tensorName, expected) in sdkState)
        {
            var actual = adapted.Tensors.Single(t => t.Name == tensorName).Values.ToArray();
            AssertClose(expected, actual, $"{name}: adapted '{tensorName}'");
        }

        var runtimeOutput = algorithm.Task == TaskKind.Regression
            ? adapted.PredictValues(task.QueryX).SelectMany(v => v).ToArray()
            : algorithm.Task == TaskKind.Reconstruction
                ? adapted.Predict(task.QueryX).Select(p => p.Score!.Value).ToArray()
                : adapted.Predict(task.QueryX).SelectMany(p => p.Probabilities).ToArray();
        AssertClose(Expected(algorithm.Task, sdkOutput, task), runtimeOutput, $"{name}: predictions");
    }

    private static TaskData RandomTask(Random random, int[] exampleShape)
    {
        var size = exampleShape.Aggregate(1, (a, b) => a * b);
        float[] Images(int n) => Enumerable.Range(0, n * size).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray();
        long[] Labels(int n) => Enumerable.Range(0, n).Select(i => (long)(i / (n / 5))).ToArray();
        return new TaskData(Images(10), [10, .. exampleShape.Select(d => (long)d)], Images(15), [15, .. exampleShape.Select(d => (long)d)],
            supportLabels: Labels(10), queryLabels: Labels(15));
    }

    /// <summary>The Sdk's adapted state (runtime names) and raw predict output, from its own graphs.</summary>
    private static (Dictionary<string, float[]> State, float[] Output) RunSdk(MetaAlgorithm algorithm, float[][] values, TaskData task, int steps)
    {
        var (specs, state) = algorithm.DeploymentState(values);
        using var parameters = new ParameterTensors(specs, state);
        using var adapt = new GraphSession(algorithm.BuildAdapt(steps), new GraphSessionOptions { IntraOpThreads = 1 });
        var inputs = new OrtValue[adapt.Graph.Inputs.Count];
        using var outputs = adapt.CreateOutputs();
        parameters.Place(adapt, inputs);
        using (new TaskFeeds(adapt, task, inputs))
        {
            adapt.Run(inputs, outputs);
        }

        var adapted = adapt.Graph.Outputs.Select((n, i) => (Name: n.StartsWith("adapted.", StringComparison.Ordinal) ? n["adapted.".Length..] : n, Values: outputs[i].GetTensorDataAsSpan<float>().ToArray()))
            .ToDictionary(p => p.Name, p => p.Values);

        using var predict = new GraphSession(algorithm.BuildPredict(), new GraphSessionOptions { IntraOpThreads = 1 });
        return (adapted, PredictWith(algorithm, predict, parameters, adapted, task));
    }

    private static float[] PredictWith(MetaAlgorithm algorithm, GraphSession predict, ParameterTensors parameters, Dictionary<string, float[]> adapted, TaskData task)
    {
        var inputs = new OrtValue[predict.Graph.Inputs.Count];
        parameters.Place(predict, inputs);
        var owned = new List<OrtValue>();
        foreach (var (name, values) in adapted.Where(a => predict.Graph.Inputs.Contains(a.Key)))
        {
            var shape = name switch
            {
                GraphNames.Prototypes => new long[] { values.Length / algorithm.Model.OutputSize, algorithm.Model.OutputSize },
                GraphNames.PrototypeLabels => [values.Length],
                _ => algorithm.StateParameters.Single(p => p.Name == name).Shape,
            };
            var tensor = OrtValue.CreateTensorValueFromMemory(values, shape);
            owned.Add(tensor);
            inputs[predict.InputIndex(name)] = tensor;
        }

        using var outputs = predict.CreateOutputs();
        using (new TaskFeeds(predict, task, inputs, queryAsX: true))
        {
            predict.Run(inputs, outputs);
        }

        var slot = predict.OutputIndex(algorithm.Task == TaskKind.Reconstruction ? GraphNames.Score : GraphNames.Output);
        var result = outputs[slot].GetTensorDataAsSpan<float>().ToArray();
        owned.ForEach(t => t.Dispose());
        return result;
    }

    /// <summary>What the runtime reports for the Sdk's raw output: softmax probabilities for classifiers, values otherwise.</summary>
    private static float[] Expected(TaskKind kind, float[] output, TaskData task)
    {
        if (kind != TaskKind.Classification)
        {
            return output;
        }

        var classes = output.Length / (int)task.QueryCount;
        var probabilities = new float[output.Length];
        for (var r = 0; r < task.QueryCount; r++)
        {
            var row = output.AsSpan(r * classes, classes);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(v => Math.Exp(v - max));
            for (var c = 0; c < classes; c++)
            {
                probabilities[(r * classes) + c] = (float)(Math.Exp(row[c] - max) / sum);
            }
        }

        return probabilities;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: runtime {actual[i]}, Sdk {expected[i]}");
        }
    }
}
