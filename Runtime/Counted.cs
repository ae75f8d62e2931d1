using System.Globalization;

namespace FewShot.Runtime;

/// <summary>A count and its noun for the runtime's messages ("1 float", "3 floats"), in the invariant culture.</summary>
/// <remarks>FewShot.Bundles keeps its own copy (<c>Format/Counted.cs</c>): it shows its internals to no project of ours.</remarks>
internal static class Counted
{
    /// <summary>"<paramref name="count"/> <paramref name="one"/>" when the count is 1, else "<paramref name="count"/> <paramref name="many"/>".</summary>
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
