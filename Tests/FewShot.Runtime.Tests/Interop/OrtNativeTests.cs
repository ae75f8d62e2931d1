using FewShot.Runtime.Interop;

namespace FewShot.Runtime.Tests.Interop;

public sealed unsafe class OrtNativeTests
{
    [Fact]
    public void ThrowIfFailed_IgnoresSuccess()
    {
        OrtNative.ThrowIfFailed(0);
    }

    [Theory]
    [InlineData(OrtErrorCode.Fail)]
    [InlineData(OrtErrorCode.InvalidGraph)]
    [InlineData(OrtErrorCode.EpFail)]
    public void ThrowIfFailed_CarriesCodeAndMessage(OrtErrorCode code)
    {
        nint status = CreateStatus(code, "something went wrong: ü");

        var e = Assert.Throws<OnnxRuntimeException>(() => OrtNative.ThrowIfFailed(status));

        Assert.Equal(code, e.ErrorCode);
        Assert.Equal("something went wrong: ü", e.OrtMessage);
        Assert.Equal($"[ONNX Runtime {code}] something went wrong: ü", e.Message);
    }

    [Fact]
    public void EnvHandle_AddsAndDropsAReferenceToTheOneEnvironment()
    {
        EnvHandle process = OrtNative.Env;

        var extra = new EnvHandle(loggingLevel: 3, "FewShot.Tests");
        extra.Dispose();
        extra.Dispose();

        Assert.False(process.IsClosed);
        using var session = new InferenceSession(Models.TestModels.Unary("Relu", TensorElementType.Float, 1));
    }

    [Fact]
    public void MemoryInfoHandle_CreatesAndReleases()
    {
        var arena = new MemoryInfoHandle(allocatorType: 1, memoryType: 0);

        Assert.False(arena.IsInvalid);
        arena.Dispose();
        arena.Dispose();
        Assert.True(arena.IsClosed);
    }

    [Fact]
    public void Utf8StringArray_EncodesEachName()
    {
        using var names = new Utf8StringArray(["x", "", "θ′"]);

        Assert.Equal(3, names.Count);
        Assert.Equal("x", new string((sbyte*)names.Pointers[0]));
        Assert.Equal(string.Empty, new string((sbyte*)names.Pointers[1]));
        Assert.Equal("θ′", System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)names.Pointers[2]));
    }

    private static nint CreateStatus(OrtErrorCode code, string message)
    {
        fixed (byte* text = System.Text.Encoding.UTF8.GetBytes(message + "\0"))
        {
            return OrtNative.Api.CreateStatus((int)code, text);
        }
    }
}
