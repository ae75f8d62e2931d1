using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff.Harness;

/// <summary>A tensor held as doubles whatever its element type, for building test inputs and comparing results.</summary>
internal sealed record TestTensor(DataType Type, long[] Shape, double[] Values)
{
    public long Count => Values.LongLength;

    public static TestTensor Random(Random random, DataType type, long[] shape, ValueKind kind = ValueKind.Normal)
    {
        var count = (int)shape.Aggregate(1L, (p, d) => p * d);
        var values = kind switch
        {
            ValueKind.Normal => Enumerable.Range(0, count).Select(_ => Normal(random)).ToArray(),
            ValueKind.Positive => Enumerable.Range(0, count).Select(_ => 0.5 + (1.5 * random.NextDouble())).ToArray(),

            // Kinks (Relu, Abs, LeakyRelu at 0) stay farther than any finite-difference step.
            ValueKind.AwayFromZero => Enumerable.Range(0, count).Select(_ => (random.Next(2) == 0 ? -1 : 1) * (0.2 + random.NextDouble())).ToArray(),

            // Every pair differs by at least 4/count, so a finite-difference step never changes which element is largest.
            ValueKind.Distinct => Enumerable.Range(0, count).Select(i => -2.0 + (4.0 * i / count)).OrderBy(_ => random.Next()).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return new TestTensor(type, shape, values);
    }

    public static TestTensor Integers(DataType type, long[] shape, IEnumerable<long> values) =>
        new(type, shape, values.Select(v => (double)v).ToArray());

    public static TestTensor FromOrt(OrtValue tensor)
    {
        var info = tensor.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            TensorElementType.Float => new(DataType.Float, info.Shape, tensor.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray()),
            TensorElementType.Double => new(DataType.Double, info.Shape, tensor.GetTensorDataAsSpan<double>().ToArray()),
            TensorElementType.Int64 => new(DataType.Int64, info.Shape, tensor.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray()),
            var other => throw new NotSupportedException($"test tensors of {other}"),
        };
    }

    /// <summary>A fresh ORT value over a fresh array of the values; the caller disposes it.</summary>
    public OrtValue ToOrt() => Type switch
    {
        DataType.Float => OrtValue.CreateTensorValueFromMemory(Values.Select(v => (float)v).ToArray(), Shape),
        DataType.Double => OrtValue.CreateTensorValueFromMemory(Values.ToArray(), Shape),
        DataType.Int64 => OrtValue.CreateTensorValueFromMemory(Values.Select(v => (long)v).ToArray(), Shape),
        _ => throw new NotSupportedException($"test tensors of {Type}"),
    };

    /// <summary>A copy with element <paramref name="index"/> moved by <paramref name="delta"/>.</summary>
    public TestTensor Nudged(long index, double delta)
    {
        var values = Values.ToArray();
        values[index] += delta;
        return this with { Values = values };
    }

    /// <summary>A copy moved by <paramref name="scale"/> times <paramref name="direction"/> (same shape).</summary>
    public TestTensor Plus(TestTensor direction, double scale) =>
        this with { Values = Values.Select((v, i) => v + (scale * direction.Values[i])).ToArray() };

    public double MaxAbs() => Values.Length == 0 ? 0 : Values.Max(Math.Abs);

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>How random test values are drawn.</summary>
public enum ValueKind
{
    /// <summary>Standard normal.</summary>
    Normal,

    /// <summary>Uniform in [0.5, 2] (Log, Sqrt, Div denominators, Pow bases).</summary>
    Positive,

    /// <summary>Magnitude in [0.2, 1.2], either sign (functions with a kink at 0).</summary>
    AwayFromZero,

    /// <summary>Well-separated distinct values in [−2, 2) (max and max-pool).</summary>
    Distinct,
}
