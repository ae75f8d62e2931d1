using FewShot.Cli.Commands;
using FewShot.Sdk.Training;
using Spectre.Console;

namespace FewShot.Cli.Training;

/// <summary>
/// Shows training progress: a live Spectre.Console bar with loss, metric, iterations/s and time left on a terminal,
/// and plain lines (one per 10% of the run) when output is redirected, so logs and captured output stay readable.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="train"/>, giving it a progress sink that draws on <paramref name="output"/>.</summary>
    /// <param name="output">Where progress goes.</param>
    /// <param name="interactive">True for a terminal (a live bar, see <see cref="TerminalOutput.IsTerminal"/>), false for redirected output (plain lines).</param>
    /// <param name="status">Turns reports into figures.</param>
    /// <param name="train">Trains, reporting to the sink it is given.</param>
    public static TrainingResult Run(TextWriter output, bool interactive, TrainingStatus status, Func<IProgress<TrainingProgress>, TrainingResult> train)
    {
        if (!interactive)
        {
            return train(new PlainLines(output, status));
        }

        return TerminalOutput.For(output).Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                var result = train(new LiveBar(task, status));
                task.Value = 1;
                return result;
            });
    }

    /// <summary>Updates the live bar; Spectre's tasks may be written from the training thread while it renders.</summary>
    private sealed class LiveBar(ProgressTask task, TrainingStatus status) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            status.Update(value);
            task.Description = Markup.Escape($"{status.Counter}  {status.Figures}");
            task.Value = status.Fraction;
        }
    }

    /// <summary>One line at the first report and at each further 10% of the run.</summary>
    private sealed class PlainLines(TextWriter output, TrainingStatus status) : IProgress<TrainingProgress>
    {
        private int _lastDecile = -1;

        public void Report(TrainingProgress value)
        {
            status.Update(value);
            var decile = (int)(status.Fraction * 10);
            if (decile != _lastDecile)
            {
                _lastDecile = decile;
                output.WriteLine(status.Line);
            }
        }
    }
}
