using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// Computes a meta-batch's averaged meta-gradient with a <see cref="TorchLearner"/>: the meta-parameters and the
/// gradient sums are tensors allocated once; a meta-batch of equal-shaped tasks runs as one
/// pass where the learner can and that is faster (<see cref="TorchLearner.PrefersBatch"/>), otherwise each task in its own dispose scope; a step leaves no tensor
/// behind and memory stays flat. Not thread-safe: one per training loop.
/// </summary>
public sealed class TorchMetaBatch : IDisposable
{
    private readonly TorchLearner _learner;
    private readonly torch.Tensor[] _meta;
    private readonly torch.Tensor[] _sums;
    private readonly torch.Device _device;

    /// <summary>Allocates the meta-parameter and gradient tensors for <paramref name="learner"/>'s algorithm on <paramref name="device"/>.</summary>
    public TorchMetaBatch(TorchLearner learner, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        _learner = learner;
        _device = device ?? torch.CPU;
        Specs = learner.Algorithm.MetaParameters;
        using var noGrad = torch.no_grad();
        _meta = Specs.Select(s => torch.zeros(s.Shape, device: _device).requires_grad_()).ToArray();
        _sums = Specs.Select(s => torch.zeros(s.Shape, device: _device)).ToArray();
    }

    /// <summary>The meta-parameters, in order.</summary>
    public IReadOnlyList<ParameterSpec> Specs { get; }

    /// <summary>
    /// Runs every task of the meta-batch from the meta-parameters <paramref name="values"/> and writes the mean
    /// meta-gradient into <paramref name="gradients"/> (arrays shaped like <paramref name="values"/>).
    /// </summary>
    /// <param name="values">The meta-parameters.</param>
    /// <param name="tasks">The meta-batch.</param>
    /// <param name="gradients">Receives the mean meta-gradient.</param>
    /// <param name="iteration">The 0-based meta-iteration (staged algorithms' steps depend on it).</param>
    /// <returns>The mean query loss and metric over the tasks.</returns>
    public (double Loss, double Metric) Run(float[][] values, IReadOnlyList<TaskData> tasks, float[][] gradients, int iteration = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentOutOfRangeException.ThrowIfZero(tasks.Count);
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            for (var p = 0; p < _meta.Length; p++)
            {
                _meta[p].copy_(torch.tensor(values[p], Specs[p].Shape));
                _sums[p].zero_();
            }
        }

        double loss, metric;
        if (_learner.PrefersBatch && TorchTaskBatch.CanStack(tasks))
        {
            var step = _learner.MetaStep(_meta, new TorchTaskBatch(tasks, _device), iteration);
            (loss, metric) = (step.Loss, step.Metric);
            Accumulate(step, 1);
        }
        else
        {
            (loss, metric) = (0, 0);
            var scale = 1.0 / tasks.Count;
            foreach (var task in tasks)
            {
                using var taskScope = torch.NewDisposeScope();
                var step = _learner.MetaStep(_meta, new TorchTask(task, _device), iteration);
                loss += step.Loss * scale;
                metric += step.Metric * scale;
                Accumulate(step, scale);
            }
        }

        for (var p = 0; p < _sums.Length; p++)
        {
            _sums[p].cpu().data<float>().CopyTo(gradients[p]);
        }

        return (loss, metric);
    }

    private void Accumulate(TorchTaskStep step, double scale)
    {
        using var noGrad = torch.no_grad();
        for (var p = 0; p < _sums.Length; p++)
        {
            _sums[p].add_(step.Gradients[p], alpha: scale);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _meta.Concat(_sums))
        {
            tensor.Dispose();
        }
    }
}
