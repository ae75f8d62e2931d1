namespace FewShot.Sdk.Algorithms;

/// <summary>What a task asks of the model; decides the loss and the reported metric.</summary>
public enum TaskKind
{
    /// <summary>Labels are class indices (int64); softmax cross-entropy; accuracy.</summary>
    Classification,

    /// <summary>Targets are float vectors; mean squared error.</summary>
    Regression,

    /// <summary>No labels; the target is the input itself; reconstruction mean squared error.</summary>
    Reconstruction,
}
