using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// A checked support set over the caller's memory: n examples and their labels (class indices), targets, or nothing.
/// Hands out ONNX Runtime tensors over any run of consecutive examples without copying, so that adaptation can feed
/// the whole set or a share of it (<see cref="RuntimeOptions.AdaptationShares"/>). The caller disposes each tensor.
/// </summary>
internal sealed class SupportSet
{
    private readonly ReadOnlyMemory<float> _inputs;
    private readonly long[] _exampleShape;
    private readonly int _exampleSize;
    private readonly long[]? _classIndices;
    private readonly ReadOnlyMemory<float> _targets;
    private readonly int _targetSize;

    private SupportSet(ReadOnlyMemory<float> inputs, int count, long[] exampleShape, long[]? classIndices, ReadOnlyMemory<float> targets, int targetSize)
    {
        _inputs = inputs;
        Count = count;
        _exampleShape = exampleShape;
        _exampleSize = checked((int)exampleShape.Aggregate(1L, (p, d) => p * d));
        _classIndices = classIndices;
        _targets = targets;
        _targetSize = targetSize;
    }

    /// <summary>n, the examples.</summary>
    public int Count { get; }

    /// <summary>Examples labelled with class indices [n].</summary>
    public static SupportSet Labelled(ReadOnlyMemory<float> inputs, int count, long[] exampleShape, long[] classIndices) =>
        new(inputs, count, exampleShape, classIndices, default, 0);

    /// <summary>Examples with regression targets [n, <paramref name="targetSize"/>].</summary>
    public static SupportSet WithTargets(ReadOnlyMemory<float> inputs, int count, long[] exampleShape, ReadOnlyMemory<float> targets, int targetSize) =>
        new(inputs, count, exampleShape, null, targets, targetSize);

    /// <summary>Examples alone (reconstruction).</summary>
    public static SupportSet Unlabelled(ReadOnlyMemory<float> inputs, int count, long[] exampleShape) =>
        new(inputs, count, exampleShape, null, default, 0);

    /// <summary>The inputs of examples [start, start + length) as a tensor [length, …input shape].</summary>
    public OrtValue Inputs(int start, int length) => OrtValue.CreateTensorValueFromMemory(
        OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(_inputs.Slice(start * _exampleSize, length * _exampleSize)), [length, .. _exampleShape]);

    /// <summary>Their labels: class indices [length], targets [length, size], or null for unlabelled examples.</summary>
    public OrtValue? Labels(int start, int length) =>
        _classIndices is not null ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _classIndices.AsMemory(start, length), [length])
        : _targetSize > 0 ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(_targets.Slice(start * _targetSize, length * _targetSize)), [length, _targetSize])
        : null;
}
