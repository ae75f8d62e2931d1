using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Runtime;

namespace FewShot.Exporters.Tests.Autodiff.Harness;

/// <summary>A model loaded into ONNX Runtime (CPU, one thread: tests share a small machine and want repeatable sums).</summary>
internal sealed class OrtModel : IDisposable
{
    private readonly InferenceSession _session;

    public OrtModel(ModelProto model)
    {
        _session = new InferenceSession(OnnxModelFile.ToBytes(model), new InferenceSessionOptions { IntraOpThreads = 1, InterOpThreads = 1 });
    }

    public Dictionary<string, TestTensor> Run(IReadOnlyDictionary<string, TestTensor> inputs, params string[] outputs)
    {
        var fed = inputs.ToDictionary(p => p.Key, p => p.Value.ToOrt());
        try
        {
            using var results = _session.Run(fed, outputs);
            return results.ToDictionary(p => p.Key, p => TestTensor.FromOrt(p.Value));
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

    public void Dispose() => _session.Dispose();
}
