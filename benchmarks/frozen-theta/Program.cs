using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
// Usage: FrozenTheta <dir> <threads> <rounds>, after freeze.py: the ProtoNets bundle's adapt and predict graphs (dir/pn/,
// unzipped) with θ fed as inputs on every run, as FewShot.Runtime runs them, against the same graphs with θ written in
// as initializers (dir/*-const.onnx), where ONNX Runtime may convert the convolutions to its NCHWc kernels and prepack
// the weights. Medians of <rounds> alternated runs, wall time; one process, so use 1 thread (four sessions' spinning
// workers take each other's cores at 2).
var dir = args[0]; int threads = int.Parse(args[1]), rounds = int.Parse(args[2]);
var so = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
// θ₀ through the bundle format's own reader (FewShot.Bundles' TensorSet).
var theta = FewShot.Bundles.TensorSet.DecodeFile(File.ReadAllBytes(Path.Combine(dir, "pn/parameters.bin")), "parameters.bin")
    .Select(t => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<float>(t.Values, [.. t.Shape.Select(d => (int)d)])))
    .ToList();
var rnd = new Random(0);
float[] Img(int k) => Enumerable.Range(0, k * 784).Select(_ => rnd.NextDouble() < 0.15 ? 1f : 0f).ToArray();
var sx = NamedOnnxValue.CreateFromTensor("support_x", new DenseTensor<float>(Img(25), [25, 1, 28, 28]));
using var a0 = new InferenceSession(Path.Combine(dir, "pn/adapt.onnx"), so);
var yType = a0.InputMetadata["support_y"].ElementDataType;
NamedOnnxValue sy = yType == TensorElementType.Int64
    ? NamedOnnxValue.CreateFromTensor("support_y", new DenseTensor<long>(Enumerable.Range(0, 25).Select(i => (long)(i % 5)).ToArray(), [25]))
    : NamedOnnxValue.CreateFromTensor("support_y", new DenseTensor<float>(Enumerable.Range(0, 25).Select(i => (float)(i % 5)).ToArray(), [25]));
using var a1 = new InferenceSession(Path.Combine(dir, "adapt-const.onnx"), so);
using var p0 = new InferenceSession(Path.Combine(dir, "pn/predict.onnx"), so);
using var p1 = new InferenceSession(Path.Combine(dir, "predict-const.onnx"), so);
var protos = NamedOnnxValue.CreateFromTensor("prototypes", new DenseTensor<float>(Enumerable.Range(0, 5 * 64).Select(_ => (float)rnd.NextDouble()).ToArray(), [5, 64]));
var qx = NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(Img(75), [75, 1, 28, 28]));
double T(Func<IDisposable> f) { var w = Stopwatch.StartNew(); f().Dispose(); return w.Elapsed.TotalMilliseconds; }
var cases = new (string, Func<IDisposable>)[]
{
    ("adapt, θ inputs", () => a0.Run([.. theta, sx, sy])),
    ("adapt, θ initializers", () => a1.Run([sx, sy])),
    ("predict 75, θ inputs", () => p0.Run([.. theta, protos, qx])),
    ("predict 75, θ initializers", () => p1.Run([protos, qx])),
};
var times = cases.Select(_ => new List<double>()).ToArray();
for (int r = 0; r < rounds + 3; r++) for (int c = 0; c < cases.Length; c++) { var t = T(cases[c].Item2); if (r >= 3) times[c].Add(t); }
for (int c = 0; c < cases.Length; c++) Console.WriteLine($"{cases[c].Item1}: median {times[c].Order().ElementAt(times[c].Count / 2):F2} ms");
