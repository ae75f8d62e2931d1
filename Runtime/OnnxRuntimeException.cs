namespace FewShot.Runtime;

/// <summary>A failure reported by ONNX Runtime: its error code and its message, unchanged. Immutable.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception for an ORT error.</summary>
    /// <param name="errorCode">ORT's error code.</param>
    /// <param name="message">ORT's message, or FewShot's explanation of the failure.</param>
    public OnnxRuntimeException(OrtErrorCode errorCode, string message)
        : this(errorCode, message, innerException: null)
    {
    }

    /// <summary>Creates the exception for an ORT error that another exception explains further.</summary>
    /// <param name="errorCode">ORT's error code.</param>
    /// <param name="message">ORT's message, or FewShot's explanation of the failure.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public OnnxRuntimeException(OrtErrorCode errorCode, string message, Exception? innerException)
        : base($"[ONNX Runtime {errorCode}] {message}", innerException)
    {
        ErrorCode = errorCode;
        OrtMessage = message;
    }

    /// <summary>ORT's error code.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>The message alone, without the code prefix that <see cref="Exception.Message"/> carries.</summary>
    public string OrtMessage { get; }
}
