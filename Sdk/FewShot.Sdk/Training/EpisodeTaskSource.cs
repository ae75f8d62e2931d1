using FewShot.Sdk.Data;

namespace FewShot.Sdk.Training;

/// <summary>N-way K-shot classification tasks from an episode sampler (<see cref="EpisodeSampler"/>, <see cref="WithinGroupEpisodeSampler"/>).</summary>
public sealed class EpisodeTaskSource(IEpisodeSampler sampler) : ITaskSource
{
    /// <summary>The sampler.</summary>
    public IEpisodeSampler Sampler { get; } = sampler ?? throw new ArgumentNullException(nameof(sampler));

    /// <inheritdoc />
    public TaskData Sample(Random random)
    {
        var episode = Sampler.Sample(random);
        return new TaskData(
            episode.SupportX, episode.SupportShape.Select(d => (long)d).ToArray(),
            episode.QueryX, episode.QueryShape.Select(d => (long)d).ToArray(),
            supportLabels: episode.SupportY, queryLabels: episode.QueryY);
    }
}
