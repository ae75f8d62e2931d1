using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Bundles;

/// <summary>A session with the inputs each run feeds and the outputs it fetches, in the order the values are passed.</summary>
/// <param name="Session">The session; owned by <see cref="BundleGraphs"/>.</param>
/// <param name="Inputs">Input names, in feed order.</param>
/// <param name="Outputs">Output names, in fetch order.</param>
internal sealed record PreparedRun(InferenceSession Session, string[] Inputs, string[] Outputs)
{
    /// <summary>Runs once, writing into <paramref name="outputs"/> (preallocated, of the shapes the graph produces).</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime fails the run; the caller translates it.</exception>
    public void Run(RunOptions options, OrtValue[] inputs, OrtValue[] outputs) =>
        Session.Run(options, Inputs, inputs, Outputs, outputs);

    /// <summary>Runs once; ONNX Runtime allocates the outputs, which the caller then owns.</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime fails the run; the caller translates it.</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(RunOptions options, OrtValue[] inputs) =>
        Session.Run(options, Inputs, inputs, Outputs);
}
