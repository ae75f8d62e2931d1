using FewShot.Runtime;
using FewShot.Sdk.Algorithms;

namespace FewShot.Sdk.Training;

/// <summary>Zero-copy tensors over one task's arrays, placed in a graph's input slots. Dispose after the run.</summary>
internal sealed class TaskFeeds : IDisposable
{
    private readonly List<OrtTensor> _owned = [];

    /// <summary>Fills the graph's task inputs (those of <see cref="GraphNames"/> it has) from <paramref name="task"/>.</summary>
    public TaskFeeds(GraphSession session, TaskData task, OrtTensor[] inputs, bool queryAsX = false)
    {
        var names = session.Graph.Inputs;
        for (var i = 0; i < names.Count; i++)
        {
            var tensor = names[i] switch
            {
                GraphNames.SupportX => OrtTensor.FromArray(task.SupportX, task.SupportShape),
                GraphNames.SupportY => Targets(task.SupportLabels, task.SupportTargets, task.SupportCount),
                GraphNames.QueryX => OrtTensor.FromArray(task.QueryX, task.QueryShape),
                GraphNames.QueryY => Targets(task.QueryLabels, task.QueryTargets, task.QueryCount),
                GraphNames.X when queryAsX => OrtTensor.FromArray(task.QueryX, task.QueryShape),
                _ => null,
            };
            if (tensor is not null)
            {
                _owned.Add(tensor);
                inputs[i] = tensor;
            }
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }
    }

    private static OrtTensor Targets(long[]? labels, float[]? targets, long count) =>
        labels is not null ? OrtTensor.FromArray(labels, count)
        : targets is not null ? OrtTensor.FromArray(targets, count, targets.Length / count)
        : throw new InvalidOperationException("the graph takes labels or targets but the task has none");
}
