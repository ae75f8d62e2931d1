namespace FewShot.Sdk.Training;

/// <summary>Draws tasks for meta-training or evaluation. Every random choice comes from the <see cref="Random"/> passed in.</summary>
public interface ITaskSource
{
    /// <summary>Draws one task.</summary>
    TaskData Sample(Random random);
}
