using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Usage: StackedMaps <model.onnx> <intra-op threads> <runs>. One session per process (two sessions' spinning workers
// would take each other's cores); prints the median wall time of <runs> runs after 3 untimed ones.
var (path, threads, runs) = (args[0], int.Parse(args[1]), int.Parse(args[2]));
using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(path, options);
var random = new Random(0);
DenseTensor<float> Random(int[] shape) => new(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble()).ToArray(), shape);
var inputs = new[]
{
    NamedOnnxValue.CreateFromTensor("x", Random(session.InputMetadata["x"].Dimensions)),
    NamedOnnxValue.CreateFromTensor("w", Random([64, 64, 3, 3])),
};
var times = new List<double>();
for (var run = 0; run < runs + 3; run++)
{
    var clock = Stopwatch.StartNew();
    using (session.Run(inputs))
    {
    }

    if (run >= 3)
    {
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
}

Console.WriteLine($"{Path.GetFileNameWithoutExtension(path),-34} {threads} thread(s): median {times.Order().ElementAt(times.Count / 2):F2} ms");
