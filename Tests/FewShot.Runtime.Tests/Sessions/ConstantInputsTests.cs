using FewShot.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Runtime.Bundles;
using FewShot.Runtime.Sessions;
using FewShot.Tests.Bundles;
using Microsoft.ML.OnnxRuntime;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Runtime.Tests.Sessions;

public sealed class ConstantInputsTests
{
    private static readonly NamedTensor Weight = new("w", [4, 2, 3, 3], [.. Enumerable.Range(0, 72).Select(i => (float)Math.Sin(i))]);
    private static readonly NamedTensor Bias = new("b", [4], [0.5f, -1.25f, 3f, 1e-7f]);

    // y = Relu(Conv(x, w, b)), every value an input.
    private static byte[] ConvModel()
    {
        var graph = new GraphBuilder("constants");
        string x = graph.Input("x", DataType.Float, 1, 2, 5, 5);
        string w = graph.Input("w", DataType.Float, 4, 2, 3, 3);
        string b = graph.Input("b", DataType.Float, 4);
        graph.Output(graph.Op("Relu", [graph.Op("Conv", [x, w, b], Attr.Ints("pads", 1, 1, 1, 1))]));
        return OnnxModelFile.ToBytes(graph.ToModel());
    }

    private static float[] Run(byte[] model, params (string Name, NamedTensor Value)[] feeds)
    {
        using var session = new InferenceSession(model);
        float[] x = [.. Enumerable.Range(0, 50).Select(i => (float)Math.Cos(i * 0.7))];
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [1, 2, 5, 5]);
        var values = feeds.Select(f => OrtValue.CreateTensorValueFromMemory(f.Value.Values, f.Value.Shape)).ToList();
        try
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), ["x", .. feeds.Select(f => f.Name)], [input, .. values], [session.OutputMetadata.Keys.Single()]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    [Fact]
    public void NamedInputsBecomeInitializersOfTheirValuesAndTheGraphComputesTheSame()
    {
        byte[] original = ConvModel();
        (byte[] frozen, IReadOnlySet<string> turned) = ConstantInputs.Freeze(original, new Dictionary<string, NamedTensor> { ["w"] = Weight, ["b"] = Bias });

        Assert.Equal(["b", "w"], turned.Order());
        ModelProto parsed = OnnxModelFile.Parse(frozen);
        Assert.Equal(["x"], parsed.Graph.Input.Select(i => i.Name));
        TensorProto weight = Assert.Single(parsed.Graph.Initializer, t => t.Name == "w");
        Assert.Equal([4L, 2L, 3L, 3L], weight.Dims);
        Assert.Equal((int)DataType.Float, weight.DataType);
        Assert.Equal(Weight.Values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray());
        Assert.Equal(Bias.Values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Assert.Single(parsed.Graph.Initializer, t => t.Name == "b").RawData.Span).ToArray());
        Assert.Equal(OnnxModelFile.Parse(original).Graph.Node, parsed.Graph.Node);

        // ONNX Runtime may now take other kernels (NCHWc, prepacked weights), which sum in another order.
        Bundles.Tolerance.Close(Run(original, ("w", Weight), ("b", Bias)), Run(frozen), 1e-5, "outputs");
    }

    [Fact]
    public void OnlyInputsTheGraphHasAreTurned_AndOthersStayInputs()
    {
        var other = new NamedTensor("not_an_input", [1], [1f]);
        (byte[] frozen, IReadOnlySet<string> turned) = ConstantInputs.Freeze(ConvModel(), new Dictionary<string, NamedTensor> { ["b"] = Bias, ["not_an_input"] = other });

        Assert.Equal(["b"], turned);
        ModelProto parsed = OnnxModelFile.Parse(frozen);
        Assert.Equal(["x", "w"], parsed.Graph.Input.Select(i => i.Name));
        Assert.Equal(["b"], parsed.Graph.Initializer.Select(t => t.Name));
        Bundles.Tolerance.Close(Run(ConvModel(), ("w", Weight), ("b", Bias)), Run(frozen, ("w", Weight)), 1e-5, "outputs");
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x3A, 0x05, 0x5A })]                         // the graph field runs past the end
    [InlineData(new byte[] { 0x3A, 0x02, 0x5A, 0xFF })]                   // an input whose length runs past its graph
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // a varint longer than ten bytes
    [InlineData(new byte[] { 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]       // a field number beyond protobuf's range
    [InlineData(new byte[] { 0x3B, 0x00 })]                               // a group (wire type 3)
    public void BytesItCannotWalkComeBackUnchangedWithNothingTurned(byte[] model)
    {
        (byte[] result, IReadOnlySet<string> turned) = ConstantInputs.Freeze(model, new Dictionary<string, NamedTensor> { ["w"] = Weight });

        Assert.Same(model, result);
        Assert.Empty(turned);
    }
}

public sealed class ConstantParameterTests
{
    private static readonly string[] Mlp = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];

    [Fact]
    public void AProtoNetBundleFeedsNoParameter_TheyAreConstantsOfItsGraphs()
    {
        using FewShotModel model = Bundles.BundleTestData.Load(TestBundles.ProtoNet(embedding: 5));

        Assert.DoesNotContain(model.Graphs.Predict.Inputs, name => name.StartsWith("enc.", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Graphs.First.Run.Inputs, name => name.StartsWith("enc.", StringComparison.Ordinal));
        Assert.Empty(model.Graphs.PredictConstants);
        Assert.Empty(model.Graphs.First.Constants);
    }

    [Fact]
    public void AMamlBundleStillFeedsWhatItAdapts_θ0ToTheFirstStepAndTheStateToTheRest()
    {
        using FewShotModel model = Bundles.BundleTestData.Load(TestBundles.Maml());

        Assert.Equal(Mlp, model.Graphs.Predict.Inputs.Where(Mlp.Contains));
        Assert.Equal(Mlp, model.Graphs.First.Run.Inputs.Where(Mlp.Contains));
        Assert.Equal(Mlp.Length, model.Graphs.First.Constants.Length);
        Assert.Equal(Mlp, model.Graphs.Step!.Run.Inputs.Where(Mlp.Contains));
        Assert.Empty(model.Graphs.Step.Constants);
    }

    [Fact]
    public void AnAnilBundleFeedsItsHeadAndHoldsItsFrozenBodyAsConstants()
    {
        using FewShotModel model = Bundles.BundleTestData.Load(TestBundles.Anil());

        Assert.Equal(["fc2.weight", "fc2.bias"], model.Graphs.Predict.Inputs.Where(Mlp.Contains));
        Assert.DoesNotContain(model.Graphs.First.Run.Inputs, name => name.StartsWith("fc1", StringComparison.Ordinal));
    }
}
