using System.Globalization;

namespace FewShot.Samples;

/// <summary>A count and its noun for the samples' messages ("1 class", "3 classes"), in the invariant culture.</summary>
/// <remarks>Source-linked into each sample (<c>Shared/Counted.cs</c>), which reference nothing of each other.</remarks>
internal static class Counted
{
    /// <summary>"<paramref name="count"/> <paramref name="one"/>" when the count is 1, else "<paramref name="count"/> <paramref name="many"/>".</summary>
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
