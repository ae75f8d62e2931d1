using System.Text.Json;

namespace FewShot.Sdk.Training;

/// <summary>One training iteration as logged: the mean query loss and metric of its tasks.</summary>
/// <param name="Iteration">The iteration, counted from 1 over the whole run.</param>
/// <param name="Loss">Mean query loss.</param>
/// <param name="Metric">Mean query accuracy (classification) or error (regression, reconstruction).</param>
public sealed record TrainingPoint(int Iteration, double Loss, double Metric);

/// <summary>One validation as logged.</summary>
/// <param name="Iteration">The iteration it followed.</param>
/// <param name="Mean">The metric's mean over the validation episodes.</param>
/// <param name="HalfWidth95">Half the width of its 95% confidence interval.</param>
public sealed record ValidationPoint(int Iteration, double Mean, double HalfWidth95);

/// <summary>A run's learning curves, read back from the <c>metrics.jsonl</c> that <see cref="Torch.TorchMetaTrainer"/> writes.</summary>
/// <param name="Training">Training iterations in file order.</param>
/// <param name="Validation">Validations in file order.</param>
public sealed record MetricsHistory(IReadOnlyList<TrainingPoint> Training, IReadOnlyList<ValidationPoint> Validation)
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = MetricsLog.FileName;

    /// <summary>Reads a metrics file (or the one inside a run folder).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A line is not a metrics record; the message names the file and line.</exception>
    public static MetricsHistory Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no metrics file at '{file}': train into the run folder first (fewshot train writes {FileName})", file);
        }

        var training = new List<TrainingPoint>();
        var validation = new List<ValidationPoint>();
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var iteration = root.GetProperty("iteration").GetInt32();
                if (root.TryGetProperty("validation", out var v))
                {
                    validation.Add(new ValidationPoint(iteration, v.GetProperty("mean").GetDouble(), v.GetProperty("ci95").GetDouble()));
                }
                else
                {
                    training.Add(new TrainingPoint(iteration, root.GetProperty("loss").GetDouble(), root.GetProperty("metric").GetDouble()));
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{file}' line {number} is not a metrics record ({ex.Message}): {Shorten(line)}", ex);
            }
        }

        return new MetricsHistory(training, validation);
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
