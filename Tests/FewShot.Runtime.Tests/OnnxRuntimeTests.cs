using System.Runtime.InteropServices;
using FewShot.Runtime.Interop;

namespace FewShot.Runtime.Tests;

public sealed unsafe class OnnxRuntimeTests
{
    [Fact]
    public void ReportsTheBundledLibrary()
    {
        Assert.Equal("1.32.0", OnnxRuntime.Version);
        Assert.True(File.Exists(OnnxRuntime.LibraryPath), OnnxRuntime.LibraryPath);
        Assert.Equal("libonnxruntime.so.1", Path.GetFileName(OnnxRuntime.LibraryPath));
        Assert.Equal(11, OnnxRuntime.ApiVersion);
        Assert.Equal("FEWSHOT_ONNXRUNTIME_PATH", OnnxRuntime.LibraryPathVariable);
    }

    [Fact]
    public void AvailableProviders_IncludeTheCpu()
    {
        IReadOnlyList<string> providers = OnnxRuntime.AvailableProviders;

        Assert.Contains("CPUExecutionProvider", providers);
        Assert.Equal(providers, OnnxRuntime.AvailableProviders);
    }

    [Fact]
    public void Ort130_DeclaresApiVersion30_AndServesOneTableForAllVersions()
    {
        nint library = NativeLibrary.Load(OnnxRuntime.LibraryPath);
        try
        {
            var getApiBase = (delegate* unmanaged[Cdecl]<nint*>)NativeLibrary.GetExport(library, "OrtGetApiBase");
            var getApi = (delegate* unmanaged[Cdecl]<uint, nint*>)getApiBase()[0];

            nint* header = getApi(OrtApi.Ort130HeaderVersion);
            nint* requested = getApi(OrtApi.RequestedVersion);

            Assert.True(header != null, "ORT 1.30 does not serve the OrtApi version its header declares");
            Assert.True(header == requested, "ORT 1.30 serves different tables for different versions");
        }
        finally
        {
            NativeLibrary.Free(library);
        }
    }
}
