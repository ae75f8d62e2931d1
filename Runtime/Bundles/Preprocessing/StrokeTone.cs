namespace FewShot.Runtime.Bundles;

/// <summary>
/// Which pixels of a source image are the strokes, the drawing's ink: a fact about the image (a scan, a sensor), not
/// the model. The bundle's preprocessing then says whether strokes are bright or dark in the model's input.
/// </summary>
public enum StrokeTone
{
    /// <summary>Dark strokes on light paper, as in scans and Omniglot's drawings.</summary>
    Dark,

    /// <summary>Bright strokes on a dark background, as from a backlit sensor or a chalkboard.</summary>
    Bright,
}
