namespace FewShot.Bundles.Tests;

public sealed class CountedTests
{
    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(2, "2 bytes")]
    [InlineData(-1, "-1 bytes")]
    [InlineData(1234567, "1234567 bytes")]
    public void Of_AgreesTheNounWithTheCount(long count, string expected) =>
        Assert.Equal(expected, Counted.Of(count, "byte", "bytes"));
}
