namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>Which pixels are the strokes (1.0 in the model's input) and which the background (0.0).</summary>
public enum StrokeColor
{
    /// <summary>Dark strokes on light paper, as in Omniglot's drawings: gray level g becomes 1 − g/255.</summary>
    Dark,

    /// <summary>Bright strokes on a dark background (e.g. a backlit sensor): gray level g becomes g/255.</summary>
    Bright,
}
