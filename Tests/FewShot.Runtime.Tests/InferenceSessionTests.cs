using FewShot.Runtime.Tests.Models;

namespace FewShot.Runtime.Tests;

public sealed class InferenceSessionTests
{
    [Fact]
    public void Metadata_KeepsNamesTypesAndSymbolicDimensions()
    {
        byte[] model = new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, "batch", 3, Dim.Unknown)
            .Input("flag", TensorElementType.Bool)
            .Output("y", TensorElementType.Float, "batch", 3, Dim.Unknown)
            .Output("flag_out", TensorElementType.Bool)
            .Node("Relu", ["x"], ["y"])
            .Node("Not", ["flag"], ["flag_out"])
            .Build();
        using var session = new InferenceSession(model);

        Assert.Equal(["x", "flag"], session.Inputs.Select(i => i.Name));
        Assert.Equal(["y", "flag_out"], session.Outputs.Select(o => o.Name));
        TensorMetadata x = session.Inputs[0];
        Assert.True(x.IsTensor);
        Assert.Equal(TensorElementType.Float, x.ElementType);
        Assert.Equal([-1L, 3L, -1L], x.Dimensions);
        Assert.Equal(["batch", null, null], x.DimensionNames);
        Assert.Equal("x: Float[batch, 3, ?]", x.ToString());
        TensorMetadata flag = session.Inputs[1];
        Assert.Equal(TensorElementType.Bool, flag.ElementType);
        Assert.Equal(0, flag.Rank);
    }

    [Theory]
    [InlineData(GraphOptimizationLevel.All, ExecutionMode.Sequential, 0, 0)]
    [InlineData(GraphOptimizationLevel.Disabled, ExecutionMode.Parallel, 1, 2)]
    [InlineData(GraphOptimizationLevel.Basic, ExecutionMode.Sequential, 2, 1)]
    [InlineData(GraphOptimizationLevel.Extended, ExecutionMode.Parallel, 1, 1)]
    public void MatMulRelu_RunsUnderEveryOption(GraphOptimizationLevel level, ExecutionMode mode, int intraOp, int interOp)
    {
        var options = new InferenceSessionOptions
        {
            GraphOptimizationLevel = level,
            ExecutionMode = mode,
            IntraOpThreads = intraOp,
            InterOpThreads = interOp,
        };
        using var session = new InferenceSession(TestModels.MatMulRelu(), options);
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        float[] x = [1, 1, 2, 0, 0, 1, -1, 3];
        using var input = OrtTensor.FromArray(x, 4, 2);

        OrtTensor[] outputs = runner.Run(input);

        using OrtTensor y = Assert.Single(outputs);
        Assert.Equal([4L, 3L], y.Shape.ToArray());
        Assert.Equal(TestModels.MatMulReluExpected(x), y.ToArray<float>());
    }

    [Fact]
    public void ProfilingFilePrefix_RecordsEveryNodeRunByTheTimeTheSessionIsDisposed()
    {
        string folder = Directory.CreateTempSubdirectory("fewshot-profile-").FullName;
        try
        {
            var options = new InferenceSessionOptions { ProfilingFilePrefix = Path.Combine(folder, "matmul relu") };
            using (var session = new InferenceSession(TestModels.MatMulRelu(), options))
            {
                using var input = OrtTensor.FromArray(new float[8], 4, 2);
                using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
                runner.Run(input)[0].Dispose();
            }

            string profile = Assert.Single(Directory.GetFiles(folder));
            Assert.StartsWith("matmul relu_", Path.GetFileName(profile), StringComparison.Ordinal);
            using var trace = System.Text.Json.JsonDocument.Parse(File.ReadAllText(profile));
            var ops = trace.RootElement.EnumerateArray()
                .Where(e => e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out _))
                .Select(e => e.GetProperty("args").GetProperty("op_name").GetString())
                .ToHashSet();
            Assert.Contains("Relu", ops);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void SpinningSettings_AreAcceptedAndRun(bool allowSpinning, bool stopSpinningAfterRun)
    {
        // Sets ORT's "session.intra_op.allow_spinning" or "session.force_spinning_stop" through AddSessionConfigEntry (OrtApi[130]).
        var options = new InferenceSessionOptions { IntraOpThreads = 2, AllowSpinning = allowSpinning, StopSpinningAfterRun = stopSpinningAfterRun };
        using var session = new InferenceSession(TestModels.MatMulRelu(), options);
        float[] x = [1, 1, 2, 0, 0, 1, -1, 3];
        using var input = OrtTensor.FromArray(x, 4, 2);
        using SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        using OrtTensor y = runner.Run(input)[0];
        Assert.Equal(TestModels.MatMulReluExpected(x), y.ToArray<float>());
    }

    [Fact]
    public void ProfilingFilePrefix_MustNotBeBlank()
    {
        var options = new InferenceSessionOptions { ProfilingFilePrefix = " " };
        Assert.Throws<ArgumentException>(() => new InferenceSession(TestModels.MatMulRelu(), options));
    }

    [Fact]
    public void Add_RunsForFloatDoubleAndInt64()
    {
        AssertBinary<float>("Add", TensorElementType.Float, [1.5f, 2], [0.5f, -4], [2, -2]);
        AssertBinary<double>("Add", TensorElementType.Double, [1e-300, 2], [1e-300, 0.25], [2e-300, 2.25]);
        AssertBinary<long>("Add", TensorElementType.Int64, [long.MaxValue - 1, -5], [1, 2], [long.MaxValue, -3]);
    }

    [Fact]
    public void And_RunsForBool()
    {
        AssertBinary<bool>("And", TensorElementType.Bool, [true, true, false, false], [true, false, true, false], [true, false, false, false]);
    }

    [Fact]
    public void Scalars_RunThroughAModel()
    {
        using var session = new InferenceSession(TestModels.Binary("Add", TensorElementType.Double));
        using var a = OrtTensor.Scalar(1.25);
        using var b = OrtTensor.FromArray(new[] { 2.0 });

        using SessionOutputs outputs = session.Run(new Dictionary<string, OrtTensor> { ["a"] = a, ["b"] = b });

        Assert.Equal(0, outputs["c"].Rank);
        Assert.Equal([3.25], outputs["c"].ToArray<double>());
    }

    [Fact]
    public void Run_WithDictionary_ReturnsRequestedOutputsInOrder()
    {
        using var session = new InferenceSession(TestModels.SumAndProduct());
        using var a = OrtTensor.FromArray(new float[] { 1, 2, 3 }, 3);
        using var b = OrtTensor.FromArray(new float[] { 4, 5, 6 }, 3);
        var inputs = new Dictionary<string, OrtTensor> { ["b"] = b, ["a"] = a };

        using SessionOutputs all = session.Run(inputs);
        using SessionOutputs one = session.Run(inputs, ["product"]);

        Assert.Equal(["sum", "product"], all.Keys);
        Assert.Equal([5f, 7, 9], all["sum"].ToArray<float>());
        Assert.Equal([4f, 10, 18], all["product"].ToArray<float>());
        Assert.Equal(["product"], one.Keys);
        Assert.False(one.ContainsKey("sum"));
        Assert.Throws<KeyNotFoundException>(() => one["sum"]);
    }

    [Fact]
    public void Outputs_AreFreshAndOwnedByTheCaller()
    {
        using var session = new InferenceSession(TestModels.Unary("Relu", TensorElementType.Float, 2));
        using var x = OrtTensor.FromArray(new float[] { -1, 1 }, 2);
        SessionOutputs first = session.Run(new Dictionary<string, OrtTensor> { ["x"] = x });
        using SessionOutputs second = session.Run(new Dictionary<string, OrtTensor> { ["x"] = x });

        first.Dispose();
        first.Dispose();

        Assert.NotSame(first["y"], second["y"]);
        Assert.Throws<ObjectDisposedException>(() => first["y"].GetSpan<float>());
        Assert.Equal([0f, 1], second["y"].ToArray<float>());
        Assert.Equal([-1f, 1], x.ToArray<float>());
    }

    [Fact]
    public void CreateFromFile_LoadsTheModel()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fewshot-runtime-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, TestModels.Unary("Relu", TensorElementType.Float, 3));
        try
        {
            using var session = new InferenceSession(path);
            using var x = OrtTensor.FromArray(new float[] { -2, 0, 2 }, 3);
            using SessionOutputs outputs = session.Run(new Dictionary<string, OrtTensor> { ["x"] = x });

            Assert.Equal([0f, 0, 2], outputs["y"].ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingFile_IsOrtNoSuchFile()
    {
        var e = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession("/nonexistent/fewshot/model.onnx"));

        Assert.Equal(OrtErrorCode.NoSuchFile, e.ErrorCode);
        Assert.Contains("/nonexistent/fewshot/model.onnx", e.Message);
    }

    [Fact]
    public void MalformedModelBytes_CarryOrtCodeAndMessage()
    {
        var e = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession("not an onnx model"u8));

        Assert.Equal(OrtErrorCode.InvalidProtobuf, e.ErrorCode);
        Assert.Contains("protobuf parsing failed", e.OrtMessage);
        Assert.StartsWith("[ONNX Runtime InvalidProtobuf]", e.Message);
    }

    [Fact]
    public void InvalidOptions_AreRejectedWhenTheSessionIsCreated()
    {
        byte[] model = TestModels.Unary("Relu", TensorElementType.Float, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(model, new InferenceSessionOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(model, new InferenceSessionOptions { InterOpThreads = -2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(model, new InferenceSessionOptions { GraphOptimizationLevel = (GraphOptimizationLevel)3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(model, new InferenceSessionOptions { ExecutionMode = (ExecutionMode)7 }));
        Assert.Throws<ArgumentNullException>(() => new InferenceSession(model, new InferenceSessionOptions { Device = null! }));
    }

    [Fact]
    public void Dispose_IsIdempotentAndLaterUseThrows()
    {
        var session = new InferenceSession(TestModels.Unary("Relu", TensorElementType.Float, 1));
        SessionRunner runner = session.CreateRunner(["x"], ["y"]);
        using var x = OrtTensor.FromArray(new float[] { 1 }, 1);

        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.CreateRunner(["x"], ["y"]));
        Assert.Throws<ObjectDisposedException>(() => session.Run(new Dictionary<string, OrtTensor> { ["x"] = x }));
        Assert.Throws<ObjectDisposedException>(() => runner.Run(x));
        runner.Dispose();
        runner.Dispose();
    }

    private static void AssertBinary<T>(string opType, TensorElementType type, T[] a, T[] b, T[] expected)
        where T : unmanaged
    {
        using var session = new InferenceSession(TestModels.Binary(opType, type, "n"));
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["c"]);
        using var ta = OrtTensor.FromArray(a, a.Length);
        using var tb = OrtTensor.CopyFrom<T>(b, b.Length);
        var outputs = new OrtTensor?[1];

        runner.Run([ta, tb], outputs);

        using OrtTensor c = outputs[0]!;
        Assert.Equal(type, c.ElementType);
        Assert.Equal(expected, c.ToArray<T>());
    }
}
