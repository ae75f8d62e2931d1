using System.Runtime.CompilerServices;

namespace FewShot.Runtime.Tests;

public sealed class OrtTensorTests
{
    [Fact]
    public void FromArray_SharesTheArrayWithoutCopying()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        using var tensor = OrtTensor.FromArray(data, 2, 3);

        Assert.Equal(TensorElementType.Float, tensor.ElementType);
        Assert.Equal([2L, 3L], tensor.Shape.ToArray());
        Assert.Equal(2, tensor.Rank);
        Assert.Equal(6, tensor.ElementCount);

        data[4] = 50;
        Assert.Equal(50, tensor.GetSpan<float>()[4]);
        tensor.GetSpan<float>()[0] = -1;
        Assert.Equal(-1, data[0]);
    }

    [Fact]
    public void FromMemory_UsesTheSlice()
    {
        long[] data = [0, 10, 20, 30, 40];
        using var tensor = OrtTensor.FromMemory(data.AsMemory(1, 3), 3);

        Assert.Equal([10L, 20L, 30L], tensor.ToArray<long>());
    }

    [Fact]
    public void CopyFrom_CopiesTheData()
    {
        double[] data = [1.5, 2.5];
        using var tensor = OrtTensor.CopyFrom<double>(data, 2);

        data[0] = 100;
        Assert.Equal(TensorElementType.Double, tensor.ElementType);
        Assert.Equal([1.5, 2.5], tensor.ToArray<double>());
    }

    [Fact]
    public void Allocate_IsZeroFilled()
    {
        using var tensor = OrtTensor.Allocate<long>(3, 4);

        Assert.Equal(TensorElementType.Int64, tensor.ElementType);
        Assert.Equal(12, tensor.ElementCount);
        Assert.All(tensor.ToArray<long>(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void BoolTensors_RoundTrip()
    {
        using var shared = OrtTensor.FromArray(new[] { true, false, true }, 3);
        using var copied = OrtTensor.CopyFrom<bool>([false, true], 2);

        Assert.Equal(TensorElementType.Bool, shared.ElementType);
        Assert.Equal([true, false, true], shared.ToArray<bool>());
        Assert.Equal([false, true], copied.ToArray<bool>());
    }

    [Fact]
    public void Scalars_HaveRankZeroAndOneElement()
    {
        using var scalar = OrtTensor.Scalar(2.5f);
        using var shared = OrtTensor.FromArray(new long[] { 7 });

        Assert.Equal(0, scalar.Rank);
        Assert.True(scalar.Shape.IsEmpty);
        Assert.Equal(1, scalar.ElementCount);
        Assert.Equal(2.5f, scalar.GetSpan<float>()[0]);
        Assert.Equal(0, shared.Rank);
        Assert.Equal([7L], shared.ToArray<long>());
    }

    [Fact]
    public void EmptyTensors_AreAllowed()
    {
        using var shared = OrtTensor.FromArray(Array.Empty<float>(), 0, 3);
        using var allocated = OrtTensor.Allocate<double>(2, 0);

        Assert.Equal(0, shared.ElementCount);
        Assert.True(shared.GetSpan<float>().IsEmpty);
        Assert.Equal(0, allocated.ElementCount);
    }

    [Fact]
    public void WrongElementCount_NamesExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => OrtTensor.FromArray(new float[5], 2, 3));
        Assert.Contains("needs 6 elements", e.Message);
        Assert.Contains("has 5", e.Message);

        Assert.Throws<ArgumentException>(() => OrtTensor.CopyFrom<double>(new double[2], 3));
    }

    [Fact]
    public void NegativeDimension_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => OrtTensor.Allocate<float>(2, -1));
        Assert.Contains("negative", e.Message);
    }

    [Fact]
    public void WrongSpanType_NamesBothTypes()
    {
        using var tensor = OrtTensor.FromArray(new float[4], 4);

        var e = Assert.Throws<ArgumentException>(() => tensor.GetSpan<double>());
        Assert.Contains("Float", e.Message);
        Assert.Contains("Double", e.Message);
        Assert.Throws<ArgumentException>(() => tensor.ToArray<long>());
    }

    [Fact]
    public void UnsupportedClrType_IsRejected()
    {
        var e = Assert.Throws<NotSupportedException>(() => OrtTensor.FromArray(new int[2], 2));
        Assert.Contains("Int32", e.Message);
    }

    [Fact]
    public void Dispose_IsIdempotentAndLaterUseThrows()
    {
        var tensor = OrtTensor.FromArray(new float[2], 2);

        tensor.Dispose();
        tensor.Dispose();

        Assert.Throws<ObjectDisposedException>(() => tensor.GetSpan<float>());
        Assert.Throws<ObjectDisposedException>(() => tensor.ToArray<float>());
    }

    [Fact]
    public void Dispose_UnpinsTheArray()
    {
        WeakReference array = CreateAndDisposeTensorOverArray();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(array.IsAlive, "the array is still reachable after the tensor over it was disposed: its pin leaked");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateAndDisposeTensorOverArray()
    {
        float[] data = new float[1024];
        using (OrtTensor.FromArray(data, 1024))
        {
        }

        return new WeakReference(data);
    }
}
