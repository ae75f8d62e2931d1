using System.Diagnostics;
using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using FewShot.Exporters.Tests.Autodiff.Models;
using FewShot.Tests.Shared;
using Xunit.Abstractions;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// End to end against PyTorch (Tests/tools/conv4_reference.py): conv4 with softmax cross-entropy, its loss and every
/// parameter gradient, and the second-order MAML meta-gradient of one inner step, on the same weights and inputs.
/// </summary>
/// <remarks>
/// ONNX Runtime runs the graph in float32 (its CPU Conv has no double kernel); PyTorch computes the reference in float64.
/// Each tensor must agree within 1e-4 relative to its largest element: float32 rounding through four conv layers and
/// a second-order pass stays near 1e-6, while a wrong rule or routing shifts whole gradients.
/// </remarks>
public sealed class Conv4PyTorchTests(ITestOutputHelper output)
{
    private const double InnerRate = 0.4;
    private const int Shots = 10;

    [Fact]
    public void LossGradientsAndSecondOrderMetaGradientMatchPyTorch()
    {
        var random = new Random(20240601);
        var g = new GraphBuilder("conv4_maml");
        var theta = new Dictionary<string, string>();
        var feeds = new Dictionary<string, TestTensor>();
        foreach (var (name, shape) in Conv4.Parameters())
        {
            theta[name] = g.Input(name, DataType.Float, shape.Select(d => (Dim)d).ToArray());
            feeds[name] = Initial(random, name, shape);
        }

        var support = (g.Input("support_x", DataType.Float, Shots, 1, 28, 28), g.Input("support_y", DataType.Int64, Shots));
        var query = (g.Input("query_x", DataType.Float, Shots, 1, 28, 28), g.Input("query_y", DataType.Int64, Shots));
        foreach (var (x, y) in new[] { support, query })
        {
            feeds[x] = new TestTensor(DataType.Float, [Shots, 1, 28, 28], Enumerable.Range(0, Shots * 28 * 28).Select(_ => random.NextDouble()).ToArray());
            feeds[y] = TestTensor.Integers(DataType.Int64, [Shots], Enumerable.Range(0, Shots).Select(i => (long)(i % 5)));
        }

        var maml = Maml.Build(g, theta, support, query, InnerRate, steps: 1);
        var meta = Gradients.Append(g, maml.QueryLoss, theta.Values.ToList());
        g.Output(maml.FirstSupportLoss, []);
        g.Output(maml.QueryLoss, []);
        foreach (var name in theta.Keys)
        {
            g.Output(maml.FirstGradients[name]);
            g.Output(meta[theta[name]]);
        }

        var model = g.ToModel();
        OnnxChecker.AssertValid(OnnxModelFile.ToBytes(model), "the conv4 MAML meta-gradient graph");
        output.WriteLine($"{model.Graph.Node.Count} nodes");

        using var session = new OrtModel(model);
        var results = session.Run(feeds, [maml.FirstSupportLoss, maml.QueryLoss, .. maml.FirstGradients.Values, .. meta.Values]);
        var reference = RunPyTorch(feeds, theta.Keys);

        Compare("support loss", results[maml.FirstSupportLoss], reference["reference_support_loss"]);
        Compare("query loss", results[maml.QueryLoss], reference["reference_query_loss"]);
        foreach (var name in theta.Keys)
        {
            Compare($"gradient of {name}", results[maml.FirstGradients[name]], reference[$"reference_grad_{name}"]);
            Compare($"meta-gradient of {name}", results[meta[theta[name]]], reference[$"reference_meta_{name}"]);
        }
    }

    /// <summary>Near PyTorch's defaults (Kaiming-scaled convs, unit batch-norm scale) but not symmetric, so every gradient is informative.</summary>
    private static TestTensor Initial(Random random, string name, long[] shape)
    {
        var normal = TestTensor.Random(random, DataType.Float, shape);
        var fanIn = shape.Skip(1).Aggregate(1L, (p, d) => p * d);
        Func<double, double> scale = name switch
        {
            _ when name.StartsWith("conv", StringComparison.Ordinal) => v => v * Math.Sqrt(2.0 / fanIn),
            _ when name.StartsWith("bn", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal) => v => 1 + (0.1 * v),
            "head.weight" => v => v / Math.Sqrt(fanIn),
            _ => v => 0.1 * v,
        };
        return normal with { Values = normal.Values.Select(scale).ToArray() };
    }

    private Dictionary<string, TestTensor> RunPyTorch(Dictionary<string, TestTensor> feeds, IEnumerable<string> parameters)
    {
        var folder = Directory.CreateTempSubdirectory("fewshot-conv4-").FullName;
        try
        {
            foreach (var (name, tensor) in feeds)
            {
                Npy.Write(Path.Combine(folder, (name.Contains('.') ? $"param_{name}" : name) + ".npy"), tensor);
            }

            var start = new ProcessStartInfo(Python.Executable, [RepoPaths.Tool("conv4_reference.py"), folder, InnerRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"conv4_reference.py failed: {errors}");
            return Directory.GetFiles(folder, "reference_*.npy").ToDictionary(f => Path.GetFileNameWithoutExtension(f), Npy.Read);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void Compare(string what, TestTensor actual, TestTensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var scale = expected.MaxAbs();
        var error = actual.Values.Zip(expected.Values, (a, e) => Math.Abs(a - e)).Max();
        output.WriteLine($"{what}: max |error| / max |reference| = {error / scale:E2}");
        Assert.True(error <= 1e-4 * scale, $"{what}: max |error| {error:G3} exceeds 1e-4 × {scale:G3}");
    }
}
