namespace FewShot.Runtime.Bundles;

/// <summary>
/// Which pixels of a source image are the strokes, the drawing's ink: a fact about the image (a scan, a sensor), not
/// the model. The bundle's preprocessing then says whether strokes are bright or dark in the model's input.
/// </summary>
/// <remarks>
/// Only bundles whose inputs are drawings (<c>input.preprocessing.bright</c> is <c>"strokes"</c>, as in the Omniglot
/// preprocessing) care which tone an image's strokes have. For other bundles (<c>"background"</c>, such as photos in an
/// image folder) <see cref="Auto"/> takes images as they are, which is what <see cref="Dark"/> does for them.
/// </remarks>
public enum StrokeTone
{
    /// <summary>Dark strokes on light paper, as in scans and Omniglot's drawings.</summary>
    Dark,

    /// <summary>Bright strokes on a dark background, as from a backlit sensor or a chalkboard.</summary>
    Bright,

    /// <summary>
    /// Each image decides for itself (<see cref="StrokeDetection.Detect"/>): the paper is most of a drawing, so the
    /// strokes are the minority's tone. The default of <see cref="Preprocessor.Preprocess(ReadOnlySpan{byte}, int, int, PixelFormat, StrokeTone)"/>.
    /// </summary>
    Auto,
}
