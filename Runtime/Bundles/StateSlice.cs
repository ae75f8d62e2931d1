namespace FewShot.Runtime.Bundles;

/// <summary>Part of a bundle's adaptation state, in a graph's order: where each tensor sits in the whole state, its name and shape.</summary>
/// <param name="Positions">Positions in <see cref="BundleGraphs.StateNames"/>.</param>
/// <param name="Names">The tensors' names.</param>
/// <param name="Shapes">Their shapes.</param>
internal sealed record StateSlice(int[] Positions, string[] Names, long[][] Shapes)
{
    /// <summary>No tensors.</summary>
    public static StateSlice Empty { get; } = new([], [], []);

    /// <summary>The tensors named <paramref name="names"/>, in that order, of the state <paramref name="allNames"/> with <paramref name="allShapes"/>.</summary>
    public static StateSlice Of(IEnumerable<string> names, string[] allNames, long[][] allShapes)
    {
        string[] picked = [.. names];
        int[] positions = [.. picked.Select(n => Array.IndexOf(allNames, n))];
        return new StateSlice(positions, picked, [.. positions.Select(i => allShapes[i])]);
    }
}
