using FewShot.Cli.Training;

namespace FewShot.Cli.Tests.Training;

public sealed class TrainingStopTests
{
    [Fact]
    public void NeitherOptionTrainsTheDefaultIterations()
    {
        var stop = TrainingStop.Resolve(null, null);

        Assert.Equal(new TrainingStop(1000, null), stop);
        Assert.False(stop.Unbounded);
    }

    [Fact]
    public void MinutesAloneHasNoIterationLimit()
    {
        var stop = TrainingStop.Resolve(null, 10);

        Assert.Equal(new TrainingStop(int.MaxValue, TimeSpan.FromMinutes(10)), stop);
        Assert.True(stop.Unbounded);
    }

    [Fact]
    public void BothStopAtWhicheverComesFirst()
    {
        Assert.Equal(new TrainingStop(50, TimeSpan.FromMinutes(0.5)), TrainingStop.Resolve(50, 0.5));
        Assert.Equal(new TrainingStop(20, null), TrainingStop.Resolve(20, null));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-3, null)]
    [InlineData(null, 0.0)]
    [InlineData(null, -1.0)]
    [InlineData(null, double.NaN)]
    [InlineData(null, double.PositiveInfinity)]
    public void NonPositiveValuesAreRefused(int? iterations, double? minutes) =>
        Assert.Throws<ArgumentException>(() => TrainingStop.Resolve(iterations, minutes));
}
