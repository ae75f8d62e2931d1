using FewShot.Cli.Plotting;
using SkiaSharp;

namespace FewShot.Cli.Tests.Plotting;

/// <summary>A chart's points are drawn whole, also where they sit on the frame's edge.</summary>
public sealed class PlotPanelTests
{
    [Fact]
    public void APointOnTheRightEdgeIsDrawnWhole()
    {
        using var bitmap = new SKBitmap(200, 200);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 10);
            var panel = new PlotPanel(canvas, new SKRect(20, 20, 180, 180), font, (0, 10), (0, 1));
            panel.Points([(10, 0.5, 0)], SKColors.Red, "validation");
        }

        // The marker's right half lies beyond the frame's right edge (x = 180), at the point's height (y = 100).
        var beyondEdge = bitmap.GetPixel(183, 100);
        Assert.True(beyondEdge.Red > 200 && beyondEdge.Green < 100, $"pixel right of the frame is {beyondEdge}, not the marker's red");
    }
}
