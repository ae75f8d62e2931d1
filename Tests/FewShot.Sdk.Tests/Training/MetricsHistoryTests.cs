using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Training;

public sealed class MetricsHistoryTests
{
    [Fact]
    public void ReadsBackWhatTheTrainersLogWrites()
    {
        using var temp = new TempDirectory();
        var path = temp.File(MetricsHistory.FileName);
        using (var log = new MetricsLog(path, 0))
        {
            log.Iteration(1, 0.75, 0.5, 0.1);
            log.Iteration(2, 0.5, 0.625, 0.2);
            log.Validation(2, new EvaluationResult(new ConfidenceInterval(0.8, 0.05, 100), 100, 1, true));
        }

        var history = MetricsHistory.Read(temp.Path);

        Assert.Equal([new TrainingPoint(1, 0.75, 0.5), new TrainingPoint(2, 0.5, 0.625)], history.Training);
        Assert.Single(history.Validation);
        Assert.Equal(2, history.Validation[0].Iteration);
        Assert.Equal(0.8, history.Validation[0].Mean);
    }

    [Fact]
    public void ABadLineNamesTheFileAndLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("m.jsonl"), "{\"iteration\":1,\"loss\":1,\"metric\":0,\"seconds\":0}\n{\"iteration\":\"two\"}\n");

        var error = Assert.Throws<InvalidDataException>(() => MetricsHistory.Read(temp.File("m.jsonl")));

        Assert.Contains("m.jsonl", error.Message);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void AMissingFileSaysWhereItLooked()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<FileNotFoundException>(() => MetricsHistory.Read(temp.Path));

        Assert.Contains(MetricsHistory.FileName, error.Message);
    }
}
