using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FewShot.Sdk.Training;

/// <summary>
/// The output values of a <see cref="GraphSession"/>'s runs, one per <see cref="Algorithms.TaskGraph.Outputs"/>
/// entry, reused from run to run. When every output is a float tensor of fixed declared shape (a meta-step's loss,
/// metric and gradients), they are allocated once, over managed arrays, and each run writes into them; otherwise
/// ORT allocates them at each run and the previous run's values are released then.
/// </summary>
/// <remarks>
/// A value read through the indexer, and any span over it, is valid until the next run with these outputs or until
/// they are disposed. Not thread-safe: one run at a time per instance.
/// </remarks>
public sealed class GraphOutputs : IDisposable
{
    private readonly OrtValue[] _values;
    private IDisposableReadOnlyCollection<OrtValue>? _fresh;

    internal GraphOutputs(InferenceSession session, IReadOnlyList<string> names)
    {
        _values = new OrtValue[names.Count];
        var shapes = new long[names.Count][];
        for (var i = 0; i < names.Count; i++)
        {
            var metadata = session.OutputMetadata[names[i]];
            if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float || metadata.Dimensions.Any(d => d < 0))
            {
                return;
            }

            shapes[i] = [.. metadata.Dimensions.Select(d => (long)d)];
        }

        try
        {
            for (var i = 0; i < names.Count; i++)
            {
                var count = shapes[i].Aggregate(1L, (product, d) => product * d);
                _values[i] = OrtValue.CreateTensorValueFromMemory(new float[count], shapes[i]);
            }
        }
        catch
        {
            foreach (var value in _values)
            {
                value?.Dispose();
            }

            throw;
        }

        IsPreallocated = true;
    }

    /// <summary>The number of outputs.</summary>
    public int Count => _values.Length;

    /// <summary>Whether the values were allocated once and every run writes into them.</summary>
    internal bool IsPreallocated { get; }

    internal OrtValue[] Values => _values;

    /// <summary>The value of output <paramref name="index"/> from the latest run; owned by this object.</summary>
    /// <exception cref="InvalidOperationException">No run has produced the outputs yet.</exception>
    public OrtValue this[int index] => _values[index] ?? throw new InvalidOperationException("no run has produced these outputs yet");

    /// <summary>Releases the values. Idempotent; never throws.</summary>
    public void Dispose()
    {
        if (IsPreallocated)
        {
            foreach (var value in _values)
            {
                value.Dispose();
            }
        }
        else
        {
            ReleaseFresh();
        }
    }

    /// <summary>Takes a run's ORT-allocated results, releasing the previous run's.</summary>
    internal void Replace(IDisposableReadOnlyCollection<OrtValue> fresh)
    {
        ReleaseFresh();
        _fresh = fresh;
        var i = 0;
        foreach (var value in fresh)
        {
            _values[i++] = value;
        }
    }

    private void ReleaseFresh()
    {
        _fresh?.Dispose();
        _fresh = null;
        Array.Clear(_values);
    }
}
