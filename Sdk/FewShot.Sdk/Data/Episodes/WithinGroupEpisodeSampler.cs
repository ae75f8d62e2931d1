namespace FewShot.Sdk.Data;

/// <summary>
/// Draws episodes whose N classes all come from one group (Lake et al.'s within-alphabet one-shot protocol: every
/// class of an episode is a character of the same alphabet, which is much harder than classes across alphabets).
/// </summary>
/// <remarks>
/// Reproducible as <see cref="EpisodeSampler"/>: each episode takes its group uniformly from the given
/// <see cref="Random"/>, then draws as <see cref="EpisodeSampler"/> does within that group's classes. Immutable; may be
/// shared across threads, each with its own <see cref="Random"/>.
/// </remarks>
public sealed class WithinGroupEpisodeSampler : IEpisodeSampler
{
    private readonly EpisodeSampler _sampler;
    private readonly ClassGroup[] _groups;

    /// <summary>Prepares N-way K-shot episodes with Q queries per class, each within one of <paramref name="groups"/>.</summary>
    /// <param name="dataset">The classes.</param>
    /// <param name="groups">Groups of the dataset's class indices; each class in at most one group.</param>
    /// <param name="ways">N.</param>
    /// <param name="shots">K.</param>
    /// <param name="queries">Q.</param>
    /// <param name="groupKind">What a group is, for messages ("alphabet").</param>
    /// <exception cref="ArgumentException">No groups, a class index out of range or in two groups, or a group with fewer than N classes (named).</exception>
    public WithinGroupEpisodeSampler(IFewShotDataset dataset, IReadOnlyList<ClassGroup> groups, int ways, int shots, int queries, string groupKind = "group")
    {
        ArgumentNullException.ThrowIfNull(groups);
        _sampler = new EpisodeSampler(dataset, ways, shots, queries);
        if (groups.Count == 0)
        {
            throw new ArgumentException($"within-{groupKind} episodes need at least one {groupKind}", nameof(groups));
        }

        var seen = new HashSet<int>();
        foreach (var group in groups)
        {
            foreach (var c in group.Classes)
            {
                if (c < 0 || c >= dataset.ClassCount || !seen.Add(c))
                {
                    throw new ArgumentException($"{groupKind} '{group.Name}' lists class {c}, which is {(c < 0 || c >= dataset.ClassCount ? $"not a class of the dataset (0..{dataset.ClassCount - 1})" : "in another group too")}", nameof(groups));
                }
            }

            if (group.Classes.Count < ways)
            {
                throw new ArgumentException(
                    $"{groupKind} '{group.Name}' has {group.Classes.Count} classes, but a {ways}-way episode draws all {ways} from one {groupKind}", nameof(groups));
            }
        }

        _groups = [.. groups];
    }

    /// <inheritdoc />
    public int Ways => _sampler.Ways;

    /// <summary>K: support examples per class.</summary>
    public int Shots => _sampler.Shots;

    /// <summary>The groups, in the order given.</summary>
    public IReadOnlyList<ClassGroup> Groups => _groups;

    /// <inheritdoc />
    public Episode Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var group = _groups[random.Next(_groups.Length)];
        return _sampler.Sample(random, group.Classes);
    }
}
