using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>One task's arrays as TorchSharp tensors (copies), in the caller's dispose scope.</summary>
public sealed class TorchTask
{
    /// <summary>Copies <paramref name="task"/> into tensors on <paramref name="device"/> (default: the CPU).</summary>
    public TorchTask(TaskData task, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var on = device ?? torch.CPU;
        SupportX = torch.tensor(task.SupportX, task.SupportShape, device: on);
        QueryX = torch.tensor(task.QueryX, task.QueryShape, device: on);
        SupportY = Targets(task.SupportLabels, task.SupportTargets, task.SupportCount, on);
        QueryY = Targets(task.QueryLabels, task.QueryTargets, task.QueryCount, on);
        Classes = task.SupportLabels is { Length: > 0 } labels ? labels.Max() + 1 : 0;
    }

    /// <summary>Support inputs [n, …].</summary>
    public torch.Tensor SupportX { get; }

    /// <summary>Support labels (int64 [n]) or targets (float [n, d]); null for reconstruction.</summary>
    public torch.Tensor? SupportY { get; }

    /// <summary>Query inputs [m, …].</summary>
    public torch.Tensor QueryX { get; }

    /// <summary>Query labels or targets; null for reconstruction.</summary>
    public torch.Tensor? QueryY { get; }

    /// <summary>The number of support classes (max label + 1); 0 without labels.</summary>
    public long Classes { get; }

    private static torch.Tensor? Targets(long[]? labels, float[]? targets, long count, torch.Device device) =>
        labels is not null ? torch.tensor(labels, [count], device: device)
        : targets is not null ? torch.tensor(targets, [count, targets.Length / count], device: device)
        : null;
}
