using System.Globalization;

namespace FewShot.Bundles;

/// <summary>A count and its noun for messages ("1 byte", "3 bytes"), in the invariant culture.</summary>
/// <remarks>
/// One source, compiled (internal) into FewShot.Bundles, FewShot.Runtime, the fewshot command and the samples (linked in their project files):
/// the Runtime depends on nothing of ours but FewShot.Bundles, which shows its internals to no project of ours, and the
/// samples reference nothing of each other.
/// </remarks>
internal static class Counted
{
    /// <summary>"<paramref name="count"/> <paramref name="one"/>" when the count is 1, else "<paramref name="count"/> <paramref name="many"/>".</summary>
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
