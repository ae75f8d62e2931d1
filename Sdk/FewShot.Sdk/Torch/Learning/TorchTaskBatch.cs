using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>A meta-batch of tasks of equal shapes, stacked along a leading task dimension (copies, in the caller's dispose scope).</summary>
public sealed class TorchTaskBatch
{
    /// <summary>Stacks <paramref name="tasks"/> on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">The tasks differ in shape (see <see cref="CanStack"/>).</exception>
    public TorchTaskBatch(IReadOnlyList<TaskData> tasks, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (!CanStack(tasks))
        {
            throw new ArgumentException("only tasks of equal support and query shapes, with the same kind of targets, stack into one batch", nameof(tasks));
        }

        var on = device ?? torch.CPU;
        Count = tasks.Count;
        var first = tasks[0];
        SupportX = torch.tensor(Concat(tasks, t => t.SupportX), [Count, .. first.SupportShape], device: on);
        QueryX = torch.tensor(Concat(tasks, t => t.QueryX), [Count, .. first.QueryShape], device: on);
        SupportY = Targets(tasks, t => t.SupportLabels, t => t.SupportTargets, first.SupportCount, on);
        QueryY = Targets(tasks, t => t.QueryLabels, t => t.QueryTargets, first.QueryCount, on);
    }

    /// <summary>T, the number of tasks.</summary>
    public long Count { get; }

    /// <summary>Support inputs [T, n, …].</summary>
    public torch.Tensor SupportX { get; }

    /// <summary>Support labels [T, n] or targets [T, n, d]; null for reconstruction.</summary>
    public torch.Tensor? SupportY { get; }

    /// <summary>Query inputs [T, m, …].</summary>
    public torch.Tensor QueryX { get; }

    /// <summary>Query labels or targets; null for reconstruction.</summary>
    public torch.Tensor? QueryY { get; }

    /// <summary>True when every task has the first one's support and query shapes and the same kind of targets.</summary>
    public static bool CanStack(IReadOnlyList<TaskData> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            return false;
        }

        var first = tasks[0];
        return tasks.All(t => t.SupportShape.SequenceEqual(first.SupportShape) && t.QueryShape.SequenceEqual(first.QueryShape)
            && (t.SupportLabels is null) == (first.SupportLabels is null) && (t.SupportTargets is null) == (first.SupportTargets is null)
            && (t.QueryLabels is null) == (first.QueryLabels is null) && (t.QueryTargets is null) == (first.QueryTargets is null)
            && (t.SupportTargets?.Length ?? 0) == (first.SupportTargets?.Length ?? 0) && (t.QueryTargets?.Length ?? 0) == (first.QueryTargets?.Length ?? 0));
    }

    private static T[] Concat<T>(IReadOnlyList<TaskData> tasks, Func<TaskData, T[]> part) => tasks.SelectMany(part).ToArray();

    private static torch.Tensor? Targets(IReadOnlyList<TaskData> tasks, Func<TaskData, long[]?> labels, Func<TaskData, float[]?> targets, long count, torch.Device device)
    {
        var first = tasks[0];
        if (labels(first) is not null)
        {
            return torch.tensor(Concat(tasks, t => labels(t)!), [tasks.Count, count], device: device);
        }

        return targets(first) is { } values
            ? torch.tensor(Concat(tasks, t => targets(t)!), [tasks.Count, count, values.Length / count], device: device)
            : null;
    }
}
