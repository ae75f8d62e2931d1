namespace FewShot.Runtime;

/// <summary>The least severe ONNX Runtime message that a session logs; values are ORT's <c>OrtLoggingLevel</c>.</summary>
/// <remarks>ORT's default logger writes to standard error; a session logs only messages at or above its level.</remarks>
public enum LogSeverity
{
    /// <summary>Everything, including ORT's internal tracing.</summary>
    Verbose = 0,

    /// <summary>Informational messages and above.</summary>
    Info = 1,

    /// <summary>Warnings and above; ORT's default.</summary>
    Warning = 2,

    /// <summary>Errors and above.</summary>
    Error = 3,

    /// <summary>Only failures that end the process.</summary>
    Fatal = 4,
}
