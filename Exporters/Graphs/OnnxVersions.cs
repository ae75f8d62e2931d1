namespace FewShot.Exporters.Graphs;

/// <summary>The ONNX IR and operator-set versions that FewShot writes.</summary>
/// <remarks>
/// ONNX Runtime 1.30 runs newer opsets, but the official checker available to this project (Debian's
/// python3-onnx, ONNX 1.12) knows opsets up to 17 and IR up to 8, and every model we write must pass it.
/// Opset 17 has every operator FewShot needs (it is also the newest opset for which ONNX Runtime's CPU and
/// CUDA providers implement all of them). IR 8 (≥ 4) lets initializers also be graph inputs, which is how
/// the runtime overrides θ₀ with adapted parameters.
/// </remarks>
public static class OnnxVersions
{
    /// <summary>The default-domain operator set version of every model FewShot writes: 17.</summary>
    public const int Opset = 17;

    /// <summary>The IR version of every model FewShot writes: 8.</summary>
    public const long IrVersion = 8;

    /// <summary>The producer name stored in models.</summary>
    public const string ProducerName = "FewShot";
}
