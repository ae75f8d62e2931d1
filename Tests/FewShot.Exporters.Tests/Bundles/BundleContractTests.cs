using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Tests.Bundles;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Bundles;

/// <summary>The writer refuses, before writing anything, every bundle that FewShot.Runtime would reject.</summary>
public sealed class BundleContractTests
{
    public static TheoryData<string, string> Violations() => new()
    {
        { "reserved parameter name", "parameter name 'x' is reserved by the bundle format" },
        { "unknown adapted parameter", "innerLoop.adaptedParameters names 'fc9.weight', which is not a parameter" },
        { "classes above the head", "classes.max (4) exceeds the head's 3 outputs" },
        { "classes for regression", "classes must be null for regression bundles" },
        { "embedding with an inner loop", "innerLoop must be null for embedding (prototype) bundles" },
        { "embedding with an unrolled graph", "adapt_k.onnx: an embedding (prototype) bundle has no K-step graph" },
        { "gradient bundle without an unrolled graph", "adapt_k.onnx: a gradient-step bundle needs the K-step unrolled graph" },
        { "zero steps", "innerLoop.steps must be at least 1, got 0" },
        { "NaN learning rate", "innerLoop.learningRate must be finite" },
        { "float64 input", "input.dtype is 'float64'" },
        { "std of zero", "input.normalization.std must hold positive finite values" },
        { "accuracy above one", "provenance.metrics.accuracy must lie in [0, 1], got 1.2" },
        { "predict without output", "predict.onnx has no output 'output' (the predictions, [n, output.size])" },
        { "input without a shape", "predict.onnx declares no tensor shape for 'x'; the ONNX checker requires a shape" },
        { "unknown graph input", "predict.onnx takes input 'temperature', which is neither a parameter nor one of the inputs this graph may take (x)" },
        { "theta of another shape", "declares 'fc2.bias' (parameter 'fc2.bias') with shape [3]; expected [4]" },
        { "predict without a parameter input", "predict.onnx does not take parameter 'fc2.bias' as an input; predict takes every parameter" },
        { "overridable non-parameter", "adapt.onnx gives input 'support_x' an initializer; only constants that are not inputs may have one" },
        { "missing adapted output", "adapt.onnx has no output 'adapted.fc2.bias'" },
        { "unlisted adapted output", "adapt.onnx outputs 'adapted.fc1.weight', but innerLoop.adaptedParameters does not list it" },
        { "labels of the wrong type", "adapt.onnx declares 'support_y' (the support class indices) as Float; expected Int64" },
        { "no support input", "adapt.onnx must take exactly one of 'support_x' and 'support_features'; it takes neither" },
        { "features without the predict output", "predict.onnx has no output 'features'" },
        { "step index as a float", "adapt.onnx declares 'step' (the index of the step, an int64 scalar) as Float; expected Int64" },
        { "step index as a vector", "adapt.onnx declares 'step' (the index of the step, an int64 scalar) with shape [n]; expected []" },
        { "step index in the unrolled graph", "adapt_k.onnx takes input 'step', which is neither a parameter nor one of the inputs this graph may take" },
        { "step index in predict", "predict.onnx takes input 'step', which is neither a parameter nor one of the inputs this graph may take" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void IsRefusedWithAMessageThatNamesTheProblem(string violation, string expected)
    {
        BundleContents contents = Break(violation);

        var error = Assert.Throws<ArgumentException>(() => BundleWriter.ToBytes(contents));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static BundleContents Break(string violation)
    {
        BundleContents maml = TestBundles.Maml();
        ModelManifest m = maml.Manifest;
        switch (violation)
        {
            case "reserved parameter name":
                return With(maml, parameters: [.. maml.Parameters.Select((p, i) => i == 0 ? Renamed(p, "x") : p)]);
            case "unknown adapted parameter":
                return With(maml, m with { InnerLoop = m.InnerLoop! with { AdaptedParameters = ["fc9.weight"] } });
            case "classes above the head":
                return With(maml, m with { Classes = new ManifestClasses { Min = 2, Max = 4 } });
            case "classes for regression":
                BundleContents regression = TestBundles.Regression();
                return With(regression, regression.Manifest with { Classes = new ManifestClasses { Min = 1 } });
            case "embedding with an inner loop":
                BundleContents proto = TestBundles.ProtoNet();
                return With(proto, proto.Manifest with { InnerLoop = m.InnerLoop });
            case "embedding with an unrolled graph":
                BundleContents protoK = TestBundles.ProtoNet();
                return new BundleContents { Manifest = protoK.Manifest, Parameters = protoK.Parameters, Predict = protoK.Predict, Adapt = protoK.Adapt, AdaptK = protoK.Adapt };
            case "gradient bundle without an unrolled graph":
                return new BundleContents { Manifest = m, Parameters = maml.Parameters, Predict = maml.Predict, Adapt = maml.Adapt };
            case "zero steps":
                return With(maml, m with { InnerLoop = m.InnerLoop! with { Steps = 0 } });
            case "NaN learning rate":
                return With(maml, m with { InnerLoop = m.InnerLoop! with { LearningRate = double.NaN } });
            case "float64 input":
                return With(maml, m with { Input = m.Input with { Dtype = "float64" } });
            case "std of zero":
                return With(maml, m with { Input = m.Input with { Normalization = new ManifestNormalization { Text = "t", Std = [0f] } } });
            case "accuracy above one":
                return With(maml, m with { Provenance = m.Provenance with { Metrics = new ManifestMetrics { Accuracy = 1.2, Ci95 = 0.01, Ways = 5, Shots = 1, Episodes = 600 } } });
            case "predict without output":
                return WithGraph(maml, "predict", g => g.Output.Remove(g.Output.Single(o => o.Name == BundleNames.Output)));
            case "input without a shape":
                return WithGraph(maml, "predict", g => g.Input.Single(i => i.Name == BundleNames.X).Type.TensorType.Shape = null);
            case "unknown graph input":
                return WithGraph(maml, "predict", g => g.Input.Add(Input("temperature", DataType.Float)));
            case "theta of another shape":
                return With(maml, parameters: [.. maml.Parameters.Select(p => p.Name == "fc2.bias" ? TensorData.Float("fc2.bias", [4], new float[4]) : p)]);
            case "predict without a parameter input":
                ModelProto partial = maml.Predict.Clone();
                partial.Graph.Input.Remove(partial.Graph.Input.Single(i => i.Name == "fc2.bias"));
                return new BundleContents { Manifest = m, Parameters = maml.Parameters, Predict = partial, Adapt = maml.Adapt, AdaptK = maml.AdaptK };
            case "overridable non-parameter":
                return WithGraph(maml, "adapt", g => g.Initializer.Add(TensorData.Float(BundleNames.SupportX, [1, 4], new float[4])));
            case "missing adapted output":
                return WithGraph(maml, "adapt", g => g.Output.Remove(g.Output.Single(o => o.Name == BundleNames.Adapted("fc2.bias"))));
            case "unlisted adapted output":
                return With(maml, m with { InnerLoop = m.InnerLoop! with { AdaptedParameters = ["fc2.weight", "fc2.bias"] } });
            case "labels of the wrong type":
                return WithGraph(maml, "adapt", g => g.Input.Single(i => i.Name == BundleNames.SupportY).Type.TensorType.ElemType = (int)DataType.Float);
            case "no support input":
                return WithGraph(maml, "adapt", g => g.Input.Remove(g.Input.Single(i => i.Name == BundleNames.SupportX)));
            case "features without the predict output":
                BundleContents anil = TestBundles.Anil();
                return WithGraph(anil, "predict", g => g.Output.Remove(g.Output.Single(o => o.Name == BundleNames.Features)));
            case "step index as a float":
                return WithGraph(StepRates(), "adapt", g => g.Input.Single(i => i.Name == BundleNames.Step).Type.TensorType.ElemType = (int)DataType.Float);
            case "step index as a vector":
                return WithGraph(StepRates(), "adapt", g => g.Input.Single(i => i.Name == BundleNames.Step).Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" }));
            case "step index in the unrolled graph":
                BundleContents rates = StepRates();
                return new BundleContents { Manifest = m, Parameters = rates.Parameters, Predict = rates.Predict, Adapt = rates.Adapt, AdaptK = rates.Adapt };
            case "step index in predict":
                return WithGraph(maml, "predict", g => g.Input.Add(Input(BundleNames.Step, DataType.Int64)));
            default:
                throw new ArgumentOutOfRangeException(nameof(violation), violation, "unknown violation");
        }
    }

    private static BundleContents StepRates() => TestBundles.Maml(stepRates: [0.5f, 0.2f, 0.8f]);

    private static BundleContents With(BundleContents c, ModelManifest? manifest = null, IReadOnlyList<TensorProto>? parameters = null) =>
        new() { Manifest = manifest ?? c.Manifest, Parameters = parameters ?? c.Parameters, Predict = c.Predict, Adapt = c.Adapt, AdaptK = c.AdaptK };

    private static BundleContents WithGraph(BundleContents c, string which, Action<GraphProto> edit)
    {
        ModelProto predict = c.Predict.Clone();
        ModelProto adapt = c.Adapt.Clone();
        edit((which == "predict" ? predict : adapt).Graph);
        return new BundleContents { Manifest = c.Manifest, Parameters = c.Parameters, Predict = predict, Adapt = adapt, AdaptK = c.AdaptK };
    }

    private static TensorProto Renamed(TensorProto tensor, string name)
    {
        TensorProto copy = tensor.Clone();
        copy.Name = name;
        return copy;
    }

    private static ValueInfoProto Input(string name, DataType type) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() } },
    };
}
