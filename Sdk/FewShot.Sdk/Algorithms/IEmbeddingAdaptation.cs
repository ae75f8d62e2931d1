namespace FewShot.Sdk.Algorithms;

/// <summary>
/// An algorithm that adapts in one pass, with no gradient steps: its adapt graph embeds the support set once into
/// "prototypes" (one row per class, or per support example with their labels) and its predict graph compares queries
/// with them. It ships as an embedding bundle (Format/README.md), and inner-step counts do not apply to it.
/// </summary>
public interface IEmbeddingAdaptation;
