using FewShot.Runtime.Tests.Models;

namespace FewShot.Runtime.Tests;

public sealed class SessionRunnerTests
{
    [Fact]
    public void CreateRunner_WithUnknownName_ListsTheModelsNames()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());

        var input = Assert.Throws<ArgumentException>(() => session.CreateRunner(["a", "c"], ["sum"]));
        var output = Assert.Throws<ArgumentException>(() => session.CreateRunner(["a", "b"], ["difference"]));

        Assert.Contains("no input named 'c'", input.Message);
        Assert.Contains("'a', 'b'", input.Message);
        Assert.Contains("no output named 'difference'", output.Message);
        Assert.Contains("'sum', 'product'", output.Message);
    }

    [Fact]
    public void Run_WithWrongElementType_NamesInputAndTypes()
    {
        using var session = new InferenceSession(TestModels.Binary("Add", TensorElementType.Float, 2));
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["c"]);
        using var a = OrtTensor.FromArray(new float[] { 1, 2 }, 2);
        using var b = OrtTensor.FromArray(new double[] { 1, 2 }, 2);

        var e = Assert.Throws<ArgumentException>(() => runner.Run(a, b));

        Assert.Contains("'b'", e.Message);
        Assert.Contains("Float", e.Message);
        Assert.Contains("Double", e.Message);
    }

    [Fact]
    public void Run_WithWrongShape_IsOrtInvalidArgument()
    {
        using var session = new InferenceSession(TestModels.MatMulRelu());
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        using var x = OrtTensor.FromArray(new float[] { 1, 2, 3 }, 1, 3);

        var e = Assert.Throws<OnnxRuntimeException>(() => runner.Run(x));

        Assert.Equal(OrtErrorCode.InvalidArgument, e.ErrorCode);
        Assert.Contains("x", e.OrtMessage);
    }

    [Fact]
    public void Run_WithWrongCounts_IsRejected()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["sum", "product"]);
        using var a = OrtTensor.FromArray(new float[] { 1 }, 1);

        Assert.Throws<ArgumentException>(() => runner.Run(a));
        Assert.Throws<ArgumentException>(() => runner.Run([a, a], new OrtTensor?[1]));
        Assert.Throws<ArgumentException>(() => runner.Run([a, null!], new OrtTensor?[2]));
    }

    [Fact]
    public void Run_WithDisposedInput_Throws()
    {
        using var session = new InferenceSession(TestModels.Unary("Relu", TensorElementType.Float, 1));
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        var x = OrtTensor.FromArray(new float[] { 1 }, 1);
        x.Dispose();

        Assert.Throws<ObjectDisposedException>(() => runner.Run(x));
    }

    [Fact]
    public void Run_WritesIntoPreallocatedOutputs()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["sum", "product"]);
        float[] a = [1, 2];
        using var ta = OrtTensor.FromArray(a, 2);
        using var tb = OrtTensor.FromArray(new float[] { 3, 4 }, 2);
        using var sum = OrtTensor.Allocate<float>(2);
        var outputs = new OrtTensor?[] { sum, null };

        runner.Run([ta, tb], outputs);
        using OrtTensor product = outputs[1]!;
        Assert.Same(sum, outputs[0]);
        Assert.Equal([4f, 6], sum.ToArray<float>());
        Assert.Equal([3f, 8], product.ToArray<float>());

        a[0] = 10;
        runner.Run([ta, tb], outputs);

        Assert.Same(sum, outputs[0]);
        Assert.Same(product, outputs[1]);
        Assert.Equal([13f, 6], sum.ToArray<float>());
        Assert.Equal([30f, 8], product.ToArray<float>());
    }

    [Fact]
    public void Run_WithPreallocatedOutputs_AllocatesNoManagedMemory()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["sum", "product"]);
        using var a = OrtTensor.FromArray(new float[] { 1, 2, 3 }, 3);
        using var b = OrtTensor.FromArray(new float[] { 4, 5, 6 }, 3);
        using var sum = OrtTensor.Allocate<float>(3);
        using var product = OrtTensor.Allocate<float>(3);
        OrtTensor[] inputs = [a, b];
        OrtTensor?[] outputs = [sum, product];
        for (int i = 0; i < 100; i++)
        {
            runner.Run(inputs, outputs);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            runner.Run(inputs, outputs);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal([4f, 10, 18], product.ToArray<float>());
    }

    [Fact]
    public void Run_WithCancelledToken_StopsInOrt()
    {
        using var session = new InferenceSession(TestModels.Unary("Relu", TensorElementType.Float, 1));
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        using var x = OrtTensor.FromArray(new float[] { 1 }, 1);
        var outputs = new OrtTensor?[1];

        var e = Assert.Throws<OperationCanceledException>(() => runner.Run([x], outputs, new CancellationToken(canceled: true)));

        Assert.IsType<OnnxRuntimeException>(e.InnerException);
        Assert.Null(outputs[0]);
    }

    [Fact]
    public void Run_WithLiveToken_Completes()
    {
        using var session = new InferenceSession(TestModels.Unary("Relu", TensorElementType.Float, 1));
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        using var x = OrtTensor.FromArray(new float[] { -1 }, 1);
        using var cancellation = new CancellationTokenSource();
        var outputs = new OrtTensor?[1];

        runner.Run([x], outputs, cancellation.Token);

        using OrtTensor y = outputs[0]!;
        Assert.Equal([0f], y.ToArray<float>());
    }

    [Fact]
    public void ConcurrentRuns_OnOneRunner_GiveCorrectResults()
    {
        using var session = new InferenceSession(TestModels.MatMulRelu());
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var random = new Random(worker);
            for (int run = 0; run < 200; run++)
            {
                int batch = 1 + random.Next(5);
                float[] x = [.. Enumerable.Range(0, batch * 2).Select(_ => (float)random.Next(-5, 6))];
                using var input = OrtTensor.FromArray(x, batch, 2);
                OrtTensor[] outputs = runner.Run(input);
                using OrtTensor y = outputs[0];
                Assert.Equal(TestModels.MatMulReluExpected(x), y.ToArray<float>());
            }
        });
    }

    [Fact]
    public void Runner_ReportsItsNames()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());
        using SessionRunner runner = session.CreateRunner(["b", "a"], ["product"]);

        Assert.Equal(["b", "a"], runner.InputNames);
        Assert.Equal(["product"], runner.OutputNames);
    }
}
