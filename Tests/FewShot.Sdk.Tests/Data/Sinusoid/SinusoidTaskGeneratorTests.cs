using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Sinusoid;

public sealed class SinusoidTaskGeneratorTests
{
    [Fact]
    public void DrawsFromThePapersRanges()
    {
        var generator = new SinusoidTaskGenerator();
        var tasks = generator.SampleBatch(new Random(1), 2000, supportCount: 10, queryCount: 10);

        Assert.All(tasks, t => Assert.InRange(t.Amplitude, 0.1, 5.0));
        Assert.All(tasks, t => Assert.InRange(t.Phase, 0, Math.PI));
        Assert.All(tasks.SelectMany(t => t.SupportX.Concat(t.QueryX)), x => Assert.InRange(x, -5f, 5f));

        // Uniform draws cover their ranges: the extremes of 2,000 draws lie near the bounds.
        Assert.True(tasks.Min(t => t.Amplitude) < 0.2 && tasks.Max(t => t.Amplitude) > 4.9);
        Assert.True(tasks.Min(t => t.Phase) < 0.05 && tasks.Max(t => t.Phase) > 3.09);
        Assert.InRange(tasks.Average(t => t.Amplitude), 2.4, 2.7);
    }

    [Fact]
    public void TargetsLieOnTheTasksCurve()
    {
        var task = new SinusoidTaskGenerator().Sample(new Random(2), 5, 7);

        Assert.Equal(5, task.SupportX.Length);
        Assert.Equal(7, task.QueryY.Length);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal((float)(task.Amplitude * Math.Sin(task.SupportX[i] - task.Phase)), task.SupportY[i]);
            Assert.Equal((float)task.Evaluate(task.SupportX[i]), task.SupportY[i]);
        }

        Assert.All(task.QueryY, y => Assert.InRange(Math.Abs(y), 0, task.Amplitude + 1e-6));
    }

    [Fact]
    public void TheSameSeedGivesTheSameTasksAndOthersDiffer()
    {
        var generator = new SinusoidTaskGenerator();

        var a = generator.Sample(new Random(3), 10, 10);
        var b = generator.Sample(new Random(3), 10, 10);
        var c = generator.Sample(new Random(4), 10, 10);

        Assert.Equal((a.Amplitude, a.Phase), (b.Amplitude, b.Phase));
        Assert.Equal(a.SupportX, b.SupportX);
        Assert.Equal(a.QueryY, b.QueryY);
        Assert.NotEqual(a.SupportX, c.SupportX);
    }

    [Fact]
    public void HonoursCustomRangesAndRejectsInvalidOnes()
    {
        var fixedAmplitude = new SinusoidTaskGenerator(new SinusoidOptions { AmplitudeMin = 2, AmplitudeMax = 2, InputMin = 0, InputMax = 1 });

        var task = fixedAmplitude.Sample(new Random(5), 20, 0);

        Assert.Equal(2.0, task.Amplitude);
        Assert.All(task.SupportX, x => Assert.InRange(x, 0f, 1f));
        Assert.Empty(task.QueryX);
        Assert.Contains("amplitude range [5, 1]", Assert.Throws<ArgumentException>(() => new SinusoidTaskGenerator(new SinusoidOptions { AmplitudeMin = 5, AmplitudeMax = 1 })).Message);
        Assert.Throws<ArgumentException>(() => new SinusoidTaskGenerator(new SinusoidOptions { InputMax = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => fixedAmplitude.Sample(new Random(1), 0, 1));
    }
}
