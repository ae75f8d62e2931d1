namespace FewShot.Runtime;

/// <summary>Whether independent nodes of a graph may run at the same time; values are ORT's <c>ExecutionMode</c>.</summary>
public enum ExecutionMode
{
    /// <summary>One node after another; each node may still use several threads. ORT's default.</summary>
    Sequential = 0,

    /// <summary>Independent branches run concurrently on the inter-op thread pool.</summary>
    Parallel = 1,
}
