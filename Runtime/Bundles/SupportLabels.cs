using FewShot.Bundles;
namespace FewShot.Runtime.Bundles;

/// <summary>
/// The user's support labels turned into class indices: classes numbered in order of first appearance (or in the
/// order of <see cref="AdaptOptions.Labels"/>), checked against the bundle's class range.
/// </summary>
internal sealed class SupportLabels
{
    private SupportLabels(string[] classes, long[] indices)
    {
        Classes = classes;
        Indices = indices;
    }

    /// <summary>The labels in class-index order.</summary>
    public string[] Classes { get; }

    /// <summary>Each support example's class index, in [0, Classes.Length).</summary>
    public long[] Indices { get; }

    /// <exception cref="ArgumentException">
    /// A label is null, empty or white space only, a support label is not among the declared ones, a declared class has no example, a declared
    /// label repeats, or the class count is outside the bundle's range.
    /// </exception>
    public static SupportLabels Create(IReadOnlyList<string> labels, IReadOnlyList<string>? declared, ManifestClasses range)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var classes = new List<string>();
        if (declared is not null)
        {
            foreach (string label in declared)
            {
                RequireName(label, $"AdaptOptions.Labels[{classes.Count}]", "options");
                if (!index.TryAdd(label, classes.Count))
                {
                    throw new ArgumentException($"AdaptOptions.Labels lists '{label}' twice.", "options");
                }

                classes.Add(label);
            }
        }

        var indices = new long[labels.Count];
        var counts = new int[Math.Max(classes.Count, 1)];
        for (int i = 0; i < labels.Count; i++)
        {
            string label = labels[i];
            RequireName(label, $"Support label {i}", "supportLabels");
            if (!index.TryGetValue(label, out int c))
            {
                if (declared is not null)
                {
                    throw new ArgumentException($"Support label '{label}' (example {i}) is not one of AdaptOptions.Labels ({string.Join(", ", declared)}).", "supportLabels");
                }

                c = classes.Count;
                index[label] = c;
                classes.Add(label);
                if (c >= counts.Length)
                {
                    Array.Resize(ref counts, counts.Length * 2);
                }
            }

            counts[c]++;
            indices[i] = c;
        }

        for (int c = 0; c < classes.Count; c++)
        {
            if (counts[c] == 0)
            {
                throw new ArgumentException($"Class '{classes[c]}' has no support example; every class needs at least one.", "supportLabels");
            }
        }

        CheckCount(classes.Count, range, "the support set");
        return new SupportLabels([.. classes], indices);
    }

    /// <summary>Checks a class count against the bundle's range.</summary>
    /// <exception cref="ArgumentException">Too few or too many classes.</exception>
    public static void CheckCount(int count, ManifestClasses range, string what)
    {
        if (count < range.Min)
        {
            throw new ArgumentException($"{Capitalized(what)} has {Counted.Of(count, "class", "classes")} but this bundle needs at least {range.Min} (classes.min).");
        }

        if (range.Max is { } max && count > max)
        {
            throw new ArgumentException($"{Capitalized(what)} has {Counted.Of(count, "class", "classes")} but the bundle's head has {Counted.Of(max, "output", "outputs")} (classes.max = {max}).");
        }
    }

    /// <summary>Refuses a label that names no class: null, empty, or white space only (which reads as empty wherever it is shown).</summary>
    private static void RequireName(string? label, string what, string parameter)
    {
        if (string.IsNullOrWhiteSpace(label))
        {
            string found = label is null ? "null" : label.Length == 0 ? "empty" : $"white space only ('{label}')";
            throw new ArgumentException($"{what} is {found}; a label names its class, so it needs at least one visible character.", parameter);
        }
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
