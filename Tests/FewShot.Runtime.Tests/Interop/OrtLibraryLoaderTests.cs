using System.Runtime.InteropServices;
using FewShot.Runtime.Interop;

namespace FewShot.Runtime.Tests.Interop;

public sealed class OrtLibraryLoaderTests
{
    private static readonly string[] NoSystemLibrary = ["libfewshot-test-no-such-library.so.1"];

    [Fact]
    public void OverridePath_ThatDoesNotExist_IsNamed()
    {
        var e = Assert.Throws<DllNotFoundException>(() =>
            OrtLibraryLoader.Load("/nonexistent/fewshot/libonnxruntime.so.1", AppContext.BaseDirectory, NoSystemLibrary));

        Assert.Contains("FEWSHOT_ONNXRUNTIME_PATH", e.Message);
        Assert.Contains("/nonexistent/fewshot/libonnxruntime.so.1", e.Message);
    }

    [Fact]
    public void OverridePath_ThatIsNotALibrary_SaysWhy()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fewshot-not-a-library-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "not a shared object");
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => OrtLibraryLoader.Load(path, AppContext.BaseDirectory, NoSystemLibrary));

            Assert.Contains("FEWSHOT_ONNXRUNTIME_PATH", e.Message);
            Assert.Contains("could not be loaded", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OverridePath_ToOnnxRuntime_IsLoaded()
    {
        (nint handle, string path) = OrtLibraryLoader.Load(OnnxRuntime.LibraryPath, "/nonexistent", NoSystemLibrary);
        try
        {
            Assert.Equal(OnnxRuntime.LibraryPath, path);
            Assert.True(NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out _));
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    [Fact]
    public void BundledCopy_IsFoundUnderTheBaseDirectory()
    {
        // The process keeps its own reference, so freeing the test's handle never unloads ORT.
        Assert.NotEmpty(OnnxRuntime.Version);
        (nint handle, string path) = OrtLibraryLoader.Load(null, AppContext.BaseDirectory, NoSystemLibrary);
        try
        {
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, OrtLibraryLoader.BundledRelativePath), path);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    [Fact]
    public void NothingFound_ListsWhatWasTriedAndHowToFixIt()
    {
        string empty = Directory.CreateTempSubdirectory("fewshot-empty-").FullName;
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => OrtLibraryLoader.Load(string.Empty, empty, NoSystemLibrary));

            Assert.Contains(Path.Combine(empty, OrtLibraryLoader.BundledRelativePath), e.Message);
            Assert.Contains(NoSystemLibrary[0], e.Message);
            Assert.Contains("dotnet build", e.Message);
            Assert.Contains("npm", e.Message);
            Assert.Contains("FEWSHOT_ONNXRUNTIME_PATH", e.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void FindMappedFile_NamesTheLibraryThatHoldsAnAddress()
    {
        nint handle = NativeLibrary.Load(OnnxRuntime.LibraryPath);
        try
        {
            nint export = NativeLibrary.GetExport(handle, "OrtGetApiBase");

            Assert.Equal(OnnxRuntime.LibraryPath, OrtLibraryLoader.FindMappedFile(export));
            Assert.Null(OrtLibraryLoader.FindMappedFile(0));
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
