using System.Globalization;
using System.Text.Json;
using FewShot.Bundles;

namespace FewShot.Sdk.Training;

/// <summary>
/// The run's metrics, one JSON object per line (JSONL): loss and metric per iteration, and validation results.
/// On resume, lines after the checkpoint's iteration are dropped, so the log matches the parameters.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";
    private readonly StreamWriter _writer;

    public MetricsLog(string path, int keepThroughIteration)
    {
        var kept = File.Exists(path)
            ? File.ReadAllLines(path).Where(line => IterationOf(line) is { } i && i <= keepThroughIteration).ToArray()
            : [];
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var line in kept)
            {
                writer.WriteLine(line);
            }
        });
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public void Iteration(int iteration, double loss, double metric, double seconds) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"iteration\":{iteration},\"loss\":{loss:R},\"metric\":{metric:R},\"seconds\":{seconds:F3}}}"));

    public void Validation(int iteration, EvaluationResult result) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"iteration\":{iteration},\"validation\":{{\"mean\":{result.Metric.Mean:R},\"ci95\":{result.Metric.HalfWidth95:R},\"episodes\":{result.Episodes}}}}}"));

    public void Dispose() => _writer.Dispose();

    private static int? IterationOf(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("iteration", out var value) ? value.GetInt32() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
