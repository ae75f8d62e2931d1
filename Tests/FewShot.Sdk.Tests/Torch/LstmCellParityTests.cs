using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// <see cref="LstmCell"/>'s two lowerings agree: two chained steps through ONNX Runtime and through TorchSharp give the
/// same h and c, and our autodiff's gradients of a loss over them equal libtorch's, for the parameters and for x, h₀ and c₀.
/// </summary>
public sealed class LstmCellParityTests
{
    private const int Rows = 6;
    private const int InputSize = 3;
    private const int Hidden = 4;

    [Fact]
    public void TwoStepsAndTheirGradientsMatchTorch()
    {
        TorchSetup.Initialize();
        var cell = new LstmCell("lstm", InputSize, Hidden);
        var random = new Random(5);
        var values = cell.Parameters.Select(p => p.Initialize(random)).ToArray();
        float[] Draw(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var x = Draw(Rows * InputSize);
        var h0 = Draw(Rows * Hidden);
        var c0 = Draw(Rows * Hidden);
        string[] inputs = ["x", "h0", "c0", .. cell.Parameters.Select(p => p.Name)];

        var g = new GraphBuilder("lstm_parity");
        g.Input("x", DataType.Float, Rows, InputSize);
        g.Input("h0", DataType.Float, Rows, Hidden);
        g.Input("c0", DataType.Float, Rows, Hidden);
        var parameters = cell.Parameters.ToDictionary(p => p.Name, p => g.Input(p.Name, DataType.Float, p.Shape.Select(d => (Dim)d).ToArray()), StringComparer.Ordinal);
        var (h1, c1) = cell.Step(g, "x", "h0", "c0", parameters);
        var (h2, c2) = cell.Step(g, g.Op("Tanh", ["x"]), h1, c1, parameters);
        var loss = g.Op("Add", [g.Op("ReduceSum", [g.Op("Mul", [h2, h2])], Attr.Int("keepdims", 0)), g.Op("ReduceSum", [c2], Attr.Int("keepdims", 0))]);
        var gradients = Gradients.Append(g, loss, inputs);
        string[] outputs = ["h", "c", .. inputs.Select(n => "grad." + n)];
        foreach (var (value, name) in new[] { h2, c2 }.Concat(inputs.Select(n => gradients[n])).Zip(outputs))
        {
            g.Node("Identity", [value], [name]);
            g.Output(name);
        }

        var expected = Run(g, inputs, [x, h0, c0, .. values], [[Rows, InputSize], [Rows, Hidden], [Rows, Hidden], .. cell.Parameters.Select(p => p.Shape)], outputs);

        using var scope = torch.NewDisposeScope();
        var leaves = new[] { torch.tensor(x, [Rows, InputSize]), torch.tensor(h0, [Rows, Hidden]), torch.tensor(c0, [Rows, Hidden]) }
            .Concat(cell.Parameters.Select((p, i) => torch.tensor(values[i], p.Shape))).Select(t => t.requires_grad_()).ToArray();
        var lowered = new TorchLstmCell(cell);
        var (th1, tc1) = lowered.Step(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5]);
        var (th2, tc2) = lowered.Step(torch.tanh(leaves[0]), th1, tc1, leaves[3], leaves[4], leaves[5]);
        var torchLoss = (th2 * th2).sum() + tc2.sum();
        var torchGradients = torch.autograd.grad([torchLoss], leaves);

        var actual = new[] { th2, tc2 }.Concat(torchGradients).Select(ParityTasks.Values).ToArray();
        ParityAssert.AllClose(actual, outputs.Select(o => expected[o]).ToArray(), outputs, "LSTM cell");
    }

    private static Dictionary<string, float[]> Run(GraphBuilder g, string[] names, float[][] values, long[][] shapes, string[] outputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(g.ToModel()), options);
        var feeds = names.Select((n, i) => OrtValue.CreateTensorValueFromMemory(values[i], shapes[i])).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, feeds, outputs);
            return outputs.Select((o, i) => (o, results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.o, p => p.Item2, StringComparer.Ordinal);
        }
        finally
        {
            foreach (var feed in feeds)
            {
                feed.Dispose();
            }
        }
    }
}
