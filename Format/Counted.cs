using System.Globalization;

namespace FewShot.Bundles;

/// <summary>A count and its noun for the bundle format's messages ("1 byte", "3 bytes"), in the invariant culture.</summary>
/// <remarks>FewShot.Runtime keeps its own copy (<c>Runtime/Counted.cs</c>): this assembly shows its internals to no project of ours.</remarks>
internal static class Counted
{
    /// <summary>"<paramref name="count"/> <paramref name="one"/>" when the count is 1, else "<paramref name="count"/> <paramref name="many"/>".</summary>
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
