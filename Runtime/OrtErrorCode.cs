namespace FewShot.Runtime;

/// <summary>The error codes of ONNX Runtime (C <c>OrtErrorCode</c>), as carried by <see cref="OnnxRuntimeException"/>.</summary>
/// <remarks>Values are ORT's; a newer ORT may report codes past <see cref="EpFail"/>, which then appear as plain numbers.</remarks>
public enum OrtErrorCode
{
    /// <summary>Success; never carried by an exception.</summary>
    Ok = 0,

    /// <summary>A failure without a more specific code (for example an execution provider that cannot be loaded).</summary>
    Fail = 1,

    /// <summary>An argument was invalid: wrong input name, shape or type.</summary>
    InvalidArgument = 2,

    /// <summary>A file does not exist.</summary>
    NoSuchFile = 3,

    /// <summary>No model was loaded.</summary>
    NoModel = 4,

    /// <summary>An internal engine error.</summary>
    EngineError = 5,

    /// <summary>An error while running the model, raised by a kernel.</summary>
    RuntimeException = 6,

    /// <summary>The model bytes are not a valid ONNX protobuf.</summary>
    InvalidProtobuf = 7,

    /// <summary>A model was already loaded.</summary>
    ModelLoaded = 8,

    /// <summary>Something the model needs is not implemented by this ORT build.</summary>
    NotImplemented = 9,

    /// <summary>The graph is invalid (for example a type mismatch between nodes).</summary>
    InvalidGraph = 10,

    /// <summary>An execution provider failed.</summary>
    EpFail = 11,
}
