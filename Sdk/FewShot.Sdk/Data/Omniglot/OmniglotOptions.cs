namespace FewShot.Sdk.Data;

/// <summary>How <see cref="Omniglot.Load"/> prepares and splits Omniglot; defaults in one place.</summary>
public sealed class OmniglotOptions
{
    /// <summary>The class split. Default <see cref="OmniglotSplit.Lake"/>.</summary>
    public OmniglotSplit Split { get; init; } = OmniglotSplit.Lake;

    /// <summary>The side in pixels that the 105×105 drawings are area-averaged down to. Default 28.</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>
    /// The seed of the character permutation of <see cref="OmniglotSplit.Paper"/> (ignored by Lake). It is
    /// separate from the training seed so that a fixed split can be trained on with many seeds. Default 0.
    /// </summary>
    public int SplitSeed { get; init; }

    /// <summary>
    /// The rotations, in degrees counter-clockwise, that turn each training character into that many classes.
    /// Default 0, 90, 180, 270 (four classes per character); use just 0 to train without augmentation.
    /// Validation and test classes are never rotated.
    /// </summary>
    public IReadOnlyList<int> TrainRotations { get; init; } = [0, 90, 180, 270];
}
