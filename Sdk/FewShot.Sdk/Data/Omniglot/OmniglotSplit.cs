namespace FewShot.Sdk.Data;

/// <summary>Which characters of Omniglot are meta-trained on, validated on and tested on.</summary>
public enum OmniglotSplit
{
    /// <summary>
    /// Lake et al.'s alphabet split: train on the 964 background characters (30 alphabets), test on the 659
    /// evaluation characters (20 other alphabets); no validation classes.
    /// </summary>
    Lake,

    /// <summary>
    /// The split of Vinyals et al. and the MAML paper: all 1,623 characters in a seeded random order, the first
    /// 1,100 for training, the next 100 for validation, the last 423 for testing. Alphabets are shared across splits.
    /// </summary>
    Paper,
}
