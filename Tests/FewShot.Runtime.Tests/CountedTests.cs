namespace FewShot.Runtime.Tests;

public sealed class CountedTests
{
    [Theory]
    [InlineData(0, "0 floats")]
    [InlineData(1, "1 float")]
    [InlineData(2, "2 floats")]
    [InlineData(-1, "-1 floats")]
    [InlineData(1234567, "1234567 floats")]
    public void Of_AgreesTheNounWithTheCount(long count, string expected) =>
        Assert.Equal(expected, Counted.Of(count, "float", "floats"));
}
