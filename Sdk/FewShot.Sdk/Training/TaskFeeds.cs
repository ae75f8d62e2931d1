using FewShot.Sdk.Algorithms;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Training;

/// <summary>Zero-copy ORT values over one task's arrays, placed in a graph's input slots. Dispose after the run.</summary>
internal sealed class TaskFeeds : IDisposable
{
    private readonly List<OrtValue> _owned = [];

    /// <summary>Fills the graph's task inputs (those of <see cref="GraphNames"/> it has) from <paramref name="task"/>.</summary>
    public TaskFeeds(GraphSession session, TaskData task, OrtValue[] inputs, bool queryAsX = false)
    {
        var names = session.Graph.Inputs;
        try
        {
            for (var i = 0; i < names.Count; i++)
            {
                var tensor = names[i] switch
                {
                    GraphNames.SupportX => OrtValue.CreateTensorValueFromMemory(task.SupportX, task.SupportShape),
                    GraphNames.SupportY => Targets(task.SupportLabels, task.SupportTargets, task.SupportCount),
                    GraphNames.QueryX => OrtValue.CreateTensorValueFromMemory(task.QueryX, task.QueryShape),
                    GraphNames.QueryY => Targets(task.QueryLabels, task.QueryTargets, task.QueryCount),
                    GraphNames.X when queryAsX => OrtValue.CreateTensorValueFromMemory(task.QueryX, task.QueryShape),
                    _ => null,
                };
                if (tensor is not null)
                {
                    _owned.Add(tensor);
                    inputs[i] = tensor;
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }

        _owned.Clear();
    }

    private static OrtValue Targets(long[]? labels, float[]? targets, long count) =>
        labels is not null ? OrtValue.CreateTensorValueFromMemory(labels, [count])
        : targets is not null ? OrtValue.CreateTensorValueFromMemory(targets, [count, targets.Length / count])
        : throw new InvalidOperationException("the graph takes labels or targets but the task has none");
}
