using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Exporters.Tests.Autodiff.Harness;

/// <summary>A model loaded into ONNX Runtime (CPU, one thread: tests share a small machine and want repeatable sums).</summary>
internal sealed class OrtModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public OrtModel(ModelProto model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(OnnxModelFile.ToBytes(model), options);
    }

    public Dictionary<string, TestTensor> Run(IReadOnlyDictionary<string, TestTensor> inputs, params string[] outputs)
    {
        var fed = inputs.ToDictionary(p => p.Key, p => p.Value.ToOrt());
        try
        {
            using var results = _session.Run(_runOptions, fed, outputs);
            return outputs.Zip(results).ToDictionary(p => p.First, p => TestTensor.FromOrt(p.Second));
        }
        finally
        {
            foreach (var tensor in fed.Values)
            {
                tensor.Dispose();
            }
        }
    }

    public TestTensor Run(IReadOnlyDictionary<string, TestTensor> inputs, string output) => Run(inputs, [output])[output];

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
