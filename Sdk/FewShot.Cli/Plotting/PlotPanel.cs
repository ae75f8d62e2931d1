using System.Globalization;
using SkiaSharp;

namespace FewShot.Cli.Plotting;

/// <summary>
/// One chart of a figure: a frame with a title, grid, ticked and labelled axes, line and point series and a legend.
/// The data ranges are fixed at construction; series outside them are clipped to the frame.
/// </summary>
internal sealed class PlotPanel(SKCanvas canvas, SKRect frame, SKFont font, (double Min, double Max) x, (double Min, double Max) y)
{
    private const float MarkerRadius = 4;
    private readonly List<(string Label, SKColor Color, bool Points)> _legend = [];
    private readonly (double Min, double Max) _x = Widen(x);
    private readonly (double Min, double Max) _y = Widen(y);

    /// <summary>Draws the frame, grid, ticks, tick labels, axis labels and title.</summary>
    public void DrawAxes(string title, string xLabel, string yLabel)
    {
        using var grid = new SKPaint { Color = new SKColor(0xE6, 0xE6, 0xE6), StrokeWidth = 1, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke, IsAntialias = true };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        foreach (var tick in Ticks(_x))
        {
            var px = MapX(tick);
            canvas.DrawLine(px, frame.Top, px, frame.Bottom, grid);
            canvas.DrawLine(px, frame.Bottom, px, frame.Bottom + 5, axis);
            canvas.DrawText(Format(tick), px, frame.Bottom + 8 + font.Size, SKTextAlign.Center, font, text);
        }

        foreach (var tick in Ticks(_y))
        {
            var py = MapY(tick);
            canvas.DrawLine(frame.Left, py, frame.Right, py, grid);
            canvas.DrawLine(frame.Left - 5, py, frame.Left, py, axis);
            canvas.DrawText(Format(tick), frame.Left - 8, py + (font.Size / 3), SKTextAlign.Right, font, text);
        }

        canvas.DrawRect(frame, axis);
        canvas.DrawText(xLabel, frame.MidX, frame.Bottom + 16 + (2 * font.Size), SKTextAlign.Center, font, text);
        canvas.Save();
        canvas.RotateDegrees(-90, frame.Left - 58, frame.MidY);
        canvas.DrawText(yLabel, frame.Left - 58, frame.MidY, SKTextAlign.Center, font, text);
        canvas.Restore();
        using var bold = new SKFont(font.Typeface, font.Size * 1.2f) { Embolden = true };
        canvas.DrawText(title, frame.MidX, frame.Top - 10, SKTextAlign.Center, bold, text);
    }

    /// <summary>Draws a polyline through the points, clipped to the frame, and adds it to the legend unless unlabelled.</summary>
    public void Line(IReadOnlyList<(double X, double Y)> points, SKColor color, float width, string? label)
    {
        if (points.Count == 0)
        {
            return;
        }

        using var builder = new SKPathBuilder();
        builder.MoveTo(MapX(points[0].X), MapY(points[0].Y));
        for (var i = 1; i < points.Count; i++)
        {
            builder.LineTo(MapX(points[i].X), MapY(points[i].Y));
        }

        using var path = builder.Detach();

        using var paint = new SKPaint { Color = color, StrokeWidth = width, Style = SKPaintStyle.Stroke, IsAntialias = true, StrokeJoin = SKStrokeJoin.Round };
        canvas.Save();
        canvas.ClipRect(frame);
        canvas.DrawPath(path, paint);
        canvas.Restore();
        if (label is not null)
        {
            _legend.Add((label, color, false));
        }
    }

    /// <summary>Draws points with vertical error bars (±<c>Error</c>) and adds them to the legend.</summary>
    public void Points(IReadOnlyList<(double X, double Y, double Error)> points, SKColor color, string label)
    {
        using var paint = new SKPaint { Color = color, StrokeWidth = 1.5f, IsAntialias = true };
        canvas.Save();
        // Room for a whole marker: a validation at the last iteration sits on the frame's right edge.
        canvas.ClipRect(SKRect.Inflate(frame, MarkerRadius + 1, MarkerRadius + 1));
        foreach (var (px, py, error) in points)
        {
            var (cx, cy) = (MapX(px), MapY(py));
            canvas.DrawLine(cx, MapY(py - error), cx, MapY(py + error), paint);
            canvas.DrawCircle(cx, cy, MarkerRadius, paint);
        }

        canvas.Restore();
        _legend.Add((label, color, true));
    }

    /// <summary>
    /// Draws the legend on a white box in the right-hand corner away from where the curve ends (<paramref name="lastY"/>),
    /// top or bottom, so it hides the least of the curve's latest part.
    /// </summary>
    public void DrawLegend(double lastY)
    {
        if (_legend.Count == 0)
        {
            return;
        }

        var rowHeight = font.Size + 6;
        var textWidth = _legend.Max(entry => font.MeasureText(entry.Label));
        var height = 6 + (rowHeight * _legend.Count);
        var top = MapY(lastY) < frame.MidY ? frame.Bottom - 8 - height : frame.Top + 8;
        var box = new SKRect(frame.Right - textWidth - 48, top, frame.Right - 8, top + height);
        using var fill = new SKPaint { Color = SKColors.White.WithAlpha(230) };
        using var border = new SKPaint { Color = new SKColor(0xB0, 0xB0, 0xB0), Style = SKPaintStyle.Stroke };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawRect(box, fill);
        canvas.DrawRect(box, border);
        for (var i = 0; i < _legend.Count; i++)
        {
            var (label, color, points) = _legend[i];
            var midY = box.Top + 4 + (rowHeight * i) + (rowHeight / 2);
            using var swatch = new SKPaint { Color = color, StrokeWidth = 3, IsAntialias = true };
            if (points)
            {
                canvas.DrawCircle(box.Left + 20, midY, 4, swatch);
            }
            else
            {
                canvas.DrawLine(box.Left + 8, midY, box.Left + 32, midY, swatch);
            }

            canvas.DrawText(label, box.Left + 40, midY + (font.Size / 3), SKTextAlign.Left, font, text);
        }
    }

    private float MapX(double value) => frame.Left + (float)((value - _x.Min) / (_x.Max - _x.Min) * frame.Width);

    private float MapY(double value) => frame.Bottom - (float)((value - _y.Min) / (_y.Max - _y.Min) * frame.Height);

    /// <summary>A flat range (one point, or a constant series) gets some room so the mapping stays finite.</summary>
    private static (double Min, double Max) Widen((double Min, double Max) range)
    {
        if (range.Max > range.Min)
        {
            return range;
        }

        var pad = Math.Abs(range.Min) > 0 ? Math.Abs(range.Min) * 0.1 : 1;
        return (range.Min - pad, range.Max + pad);
    }

    /// <summary>Round tick values (steps of 1, 2 or 5 times a power of ten), about six across the range.</summary>
    internal static IEnumerable<double> Ticks((double Min, double Max) range)
    {
        var raw = (range.Max - range.Min) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        for (var tick = Math.Ceiling(range.Min / step) * step; tick <= range.Max + (step * 1e-9); tick += step)
        {
            yield return Math.Abs(tick) < step * 1e-9 ? 0 : tick;
        }
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 1e7 ? value.ToString("0.#e0", CultureInfo.InvariantCulture) : value.ToString("#,0.####", CultureInfo.InvariantCulture);
}
