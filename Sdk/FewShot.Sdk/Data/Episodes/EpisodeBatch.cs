namespace FewShot.Sdk.Data;

/// <summary>
/// A meta-batch: several episodes of the same N, K, Q and example shape, as one meta-update consumes them.
/// </summary>
public sealed class EpisodeBatch
{
    private readonly Episode[] episodes;

    internal EpisodeBatch(Episode[] episodes) => this.episodes = episodes;

    /// <summary>The episodes, in the order they were sampled.</summary>
    public IReadOnlyList<Episode> Episodes => episodes;

    /// <summary>The number of episodes, B.</summary>
    public int Count => episodes.Length;

    /// <summary>Returns a fresh array of all support inputs, float32 <c>[B, N·K, ...ExampleShape]</c>.</summary>
    public float[] StackSupportX() => Stack(e => e.SupportX);

    /// <summary>Returns a fresh array of all support labels, int64 <c>[B, N·K]</c>.</summary>
    public long[] StackSupportY() => Stack(e => e.SupportY);

    /// <summary>Returns a fresh array of all query inputs, float32 <c>[B, N·Q, ...ExampleShape]</c>.</summary>
    public float[] StackQueryX() => Stack(e => e.QueryX);

    /// <summary>Returns a fresh array of all query labels, int64 <c>[B, N·Q]</c>.</summary>
    public long[] StackQueryY() => Stack(e => e.QueryY);

    private T[] Stack<T>(Func<Episode, T[]> part)
    {
        int each = episodes.Length == 0 ? 0 : part(episodes[0]).Length;
        var stacked = new T[episodes.Length * each];
        for (int b = 0; b < episodes.Length; b++)
        {
            part(episodes[b]).CopyTo(stacked, b * each);
        }

        return stacked;
    }
}
