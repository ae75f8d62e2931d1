using FewShot.Cli.Training;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Tests.Training;

public sealed class TrainingStatusTests
{
    private static TrainingProgress At(int iteration, double seconds, int target = 0) =>
        new(iteration, target, 0.5, 0.75, TimeSpan.FromSeconds(seconds));

    [Fact]
    public void IterationBoundRunEstimatesFromTheRateOfThisCall()
    {
        var status = new TrainingStatus(new TrainingStop(100, null), "accuracy");

        status.Update(At(1, 1));
        status.Update(At(10, 5));

        Assert.Equal(0.1, status.Fraction, 12);
        Assert.Equal(2, status.IterationsPerSecond, 12);
        Assert.Equal(TimeSpan.FromSeconds(45), status.TimeLeft);
        Assert.Equal("10/100", status.Counter);
        Assert.Equal("loss 0.5000  accuracy 0.7500  2.0 it/s  left 00:00:45", status.Figures);
    }

    [Fact]
    public void ResumedIterationsDoNotCountTowardsTheRate()
    {
        var status = new TrainingStatus(new TrainingStop(1000, null), "mse");

        status.Update(At(501, 0.5));
        status.Update(At(510, 5));

        Assert.Equal(2, status.IterationsPerSecond, 12);
        Assert.Equal(0.51, status.Fraction, 12);
        Assert.Equal(TimeSpan.FromSeconds(245), status.TimeLeft);
    }

    [Fact]
    public void ATimeBudgetEndsFirstWhenItIsShorter()
    {
        var status = new TrainingStatus(new TrainingStop(1000, TimeSpan.FromSeconds(30)), "accuracy");

        status.Update(At(1, 1));
        status.Update(At(10, 5));

        Assert.Equal(5.0 / 30, status.Fraction, 12);
        Assert.Equal(TimeSpan.FromSeconds(25), status.TimeLeft);
    }

    [Fact]
    public void MinutesAloneCountsIterationsWithoutATarget()
    {
        var status = new TrainingStatus(new TrainingStop(int.MaxValue, TimeSpan.FromMinutes(1)), "mse");

        status.Update(At(9, 12));
        status.Update(At(10, 15));

        Assert.Equal(0.25, status.Fraction, 12);
        Assert.Equal("10", status.Counter);
        Assert.Equal(TimeSpan.FromSeconds(45), status.TimeLeft);
        Assert.Equal(" 25%  10  loss 0.5000  mse 0.7500  0.1 it/s  left 00:00:45", status.Line);
    }

    [Fact]
    public void TimeLeftIsUnknownBeforeAnyTimeHasPassed()
    {
        var status = new TrainingStatus(new TrainingStop(100, null), "accuracy");

        status.Update(At(1, 0));

        Assert.Null(status.TimeLeft);
        Assert.EndsWith("left --:--:--", status.Figures);
    }
}
