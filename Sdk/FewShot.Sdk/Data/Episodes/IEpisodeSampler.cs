namespace FewShot.Sdk.Data;

/// <summary>Draws N-way K-shot episodes reproducibly from the <see cref="Random"/> it is given.</summary>
public interface IEpisodeSampler
{
    /// <summary>N: classes per episode.</summary>
    int Ways { get; }

    /// <summary>Draws one episode, advancing <paramref name="random"/>; the episode is a fresh object owned by the caller.</summary>
    Episode Sample(Random random);
}
