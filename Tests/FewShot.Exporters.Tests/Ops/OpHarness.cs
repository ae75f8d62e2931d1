using FewShot.Exporters.Graphs;
using FewShot.Tests.Shared;
using Microsoft.ML.OnnxRuntime;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>Builds one-op graphs, checks them with the official ONNX checker, runs them through ONNX Runtime.</summary>
internal static class OpHarness
{
    /// <summary>
    /// Writes a graph whose float inputs are <paramref name="inputs"/> and whose single output (declared with
    /// <paramref name="outputShape"/>, which the checker requires) is what <paramref name="body"/> returns, checks
    /// it, runs it on the CPU and returns the output as an <see cref="Nd"/>.
    /// </summary>
    public static Nd Run(string what, int[] outputShape, Func<GraphBuilder, string[], string> body, params Nd[] inputs)
    {
        var g = new GraphBuilder(what.Replace(' ', '_'));
        var names = inputs.Select((x, i) => g.Input($"x{i}", DataType.Float, x.LongShape.Select(d => (Dim)d).ToArray())).ToArray();
        g.Output(body(g, names), outputShape.Select(d => (Dim)d).ToArray());
        var bytes = OnnxModelFile.ToBytes(g.ToModel());
        OnnxChecker.AssertValid(bytes, what);

        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        using var runOptions = new RunOptions();
        var tensors = inputs.Select(x => OrtValue.CreateTensorValueFromMemory(x.Data, x.LongShape)).ToArray();
        try
        {
            using var outputs = session.Run(runOptions, names, tensors, session.OutputNames);
            var result = outputs.Single();
            var shape = result.GetTensorTypeAndShape().Shape.Select(d => checked((int)d)).ToArray();
            return new Nd(shape, result.GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var tensor in tensors)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Asserts equal shapes and element-wise agreement within |a − e| ≤ tolerance·(1 + |e|).</summary>
    public static void AssertClose(Nd expected, Nd actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < expected.Data.Length; i++)
        {
            var e = expected.Data[i];
            var a = actual.Data[i];
            if (!(Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e))))
            {
                Assert.Fail($"element {i}: expected {e}, got {a} (tolerance {tolerance})");
            }
        }
    }
}
