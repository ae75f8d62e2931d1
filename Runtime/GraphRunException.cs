namespace FewShot.Runtime;

/// <summary>
/// ONNX Runtime failed while running one of a bundle's graphs. The message names the graph, the stage (an adapt step, a
/// prediction) and what that likely means; ONNX Runtime's own exception is the inner exception.
/// </summary>
public sealed class GraphRunException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="graph">The bundle entry that failed, e.g. "adapt.onnx".</param>
    /// <param name="message">What failed and what it means for the caller.</param>
    /// <param name="innerException">ONNX Runtime's exception.</param>
    public GraphRunException(string graph, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Graph = graph;
    }

    /// <summary>The bundle entry whose run failed, e.g. "adapt.onnx".</summary>
    public string Graph { get; }
}
