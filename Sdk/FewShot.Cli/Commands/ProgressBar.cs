using System.Globalization;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>A one-line text progress bar for training; without a terminal it prints a line every 10%.</summary>
internal sealed class ProgressBar(TextWriter output, bool interactive) : IProgress<TrainingProgress>
{
    private int _lastDecile = -1;

    public void Report(TrainingProgress value)
    {
        var fraction = Math.Clamp((double)value.Iteration / value.Iterations, 0, 1);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', (int)(fraction * 30)),-30}] {value.Iteration}/{value.Iterations}  loss {value.Loss:F4}  metric {value.Metric:F4}  {value.Elapsed:hh\\:mm\\:ss}");
        if (interactive)
        {
            output.Write('\r' + line);
            if (value.Iteration >= value.Iterations)
            {
                output.WriteLine();
            }
        }
        else if ((int)(fraction * 10) is var decile && decile != _lastDecile)
        {
            _lastDecile = decile;
            output.WriteLine(line);
        }
    }
}
