using FewShot.Sdk.Training;
using SkiaSharp;

namespace FewShot.Cli.Plotting;

/// <summary>
/// Draws a run's learning curves as a PNG: training loss on the left; the training metric and any validations (with
/// their 95% intervals) on the right. Raw per-iteration values are drawn faintly under a moving average, since one
/// meta-batch is a noisy estimate.
/// </summary>
internal static class LearningCurvePlot
{
    /// <summary>The image width in pixels.</summary>
    public const int Width = 1400;

    /// <summary>The image height in pixels.</summary>
    public const int Height = 560;

    private static readonly SKColor LossColor = new(0x1F, 0x77, 0xB4);
    private static readonly SKColor MetricColor = new(0xFF, 0x7F, 0x0E);
    private static readonly SKColor ValidationColor = new(0x2C, 0xA0, 0x2C);

    /// <summary>Renders the curves and returns the encoded PNG.</summary>
    /// <param name="history">The run's metrics.</param>
    /// <param name="title">A title for the figure (the run's name, say).</param>
    /// <param name="metricName">What the metric is ("accuracy", "mse" or "metric").</param>
    /// <exception cref="InvalidDataException">The history holds no training iterations.</exception>
    public static byte[] Render(MetricsHistory history, string title, string metricName)
    {
        if (history.Training.Count == 0)
        {
            throw new InvalidDataException("the metrics file holds no training iterations to plot");
        }

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {Width}×{Height} raster surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 14);
        using var heading = new SKFont(typeface, 20) { Embolden = true };
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, Width / 2f, 30, SKTextAlign.Center, heading, ink);

        var iterations = (history.Training.Min(p => (double)p.Iteration), history.Training.Max(p => (double)p.Iteration));
        var window = Math.Max(1, history.Training.Count / 50);
        var loss = history.Training.Select(p => ((double)p.Iteration, p.Loss)).ToArray();
        var metric = history.Training.Select(p => ((double)p.Iteration, p.Metric)).ToArray();
        var (smoothLoss, smoothMetric) = (MovingAverage(loss, window), MovingAverage(metric, window));
        var validation = history.Validation.Select(v => ((double)v.Iteration, v.Mean, v.HalfWidth95)).ToArray();

        var lossPanel = new PlotPanel(canvas, new SKRect(100, 80, 670, 480), font, iterations, Range(smoothLoss.Select(p => p.Y)));
        lossPanel.DrawAxes("Training loss", "iteration", "query loss");
        DrawSeries(lossPanel, loss, smoothLoss, LossColor, "train loss");
        lossPanel.DrawLegend(smoothLoss[^1].Y);

        var metricValues = smoothMetric.Select(p => p.Y).Concat(validation.SelectMany(v => new[] { v.Mean - v.HalfWidth95, v.Mean + v.HalfWidth95 }));
        var metricPanel = new PlotPanel(canvas, new SKRect(800, 80, 1370, 480), font, iterations, Range(metricValues));
        metricPanel.DrawAxes(metricName == "accuracy" ? "Accuracy" : metricName == "mse" ? "Mean squared error" : "Metric", "iteration", metricName);
        DrawSeries(metricPanel, metric, smoothMetric, MetricColor, $"train {metricName}");
        if (validation.Length > 0)
        {
            metricPanel.Line(validation.Select(v => (v.Item1, v.Mean)).ToArray(), ValidationColor, 1.5f, null);
            metricPanel.Points(validation, ValidationColor, $"validation {metricName} (95% CI)");
        }

        metricPanel.DrawLegend(smoothMetric[^1].Y);
        canvas.DrawText($"{history.Training.Count} iterations logged; bold lines average {window} iteration{(window == 1 ? "" : "s")}",
            Width / 2f, Height - 16, SKTextAlign.Center, font, ink);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void DrawSeries(PlotPanel panel, (double X, double Y)[] raw, (double X, double Y)[] smooth, SKColor color, string label)
    {
        panel.Line(raw, color.WithAlpha(40), 1, null);
        panel.Line(smooth, color, 2.5f, label);
    }

    /// <summary>The mean of each point and up to <paramref name="window"/> − 1 before it.</summary>
    internal static (double X, double Y)[] MovingAverage((double X, double Y)[] points, int window)
    {
        var result = new (double X, double Y)[points.Length];
        var sum = 0.0;
        for (var i = 0; i < points.Length; i++)
        {
            sum += points[i].Y;
            if (i >= window)
            {
                sum -= points[i - window].Y;
            }

            result[i] = (points[i].X, sum / Math.Min(i + 1, window));
        }

        return result;
    }

    /// <summary>
    /// The range of the averaged curve (and validation intervals), with a margin: the raw values are context, and
    /// letting their noise set the scale would flatten the trend the plot is for.
    /// </summary>
    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var (min, max) = (double.PositiveInfinity, double.NegativeInfinity);
        foreach (var value in values.Where(double.IsFinite))
        {
            (min, max) = (Math.Min(min, value), Math.Max(max, value));
        }

        var margin = (max - min) * 0.08;
        return min <= max ? (min - margin, max + margin) : (0, 1);
    }
}
