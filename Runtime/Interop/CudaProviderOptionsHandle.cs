namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtCUDAProviderOptionsV2</c>: settings of the CUDA execution provider.</summary>
internal sealed unsafe class CudaProviderOptionsHandle : OrtHandle
{
    /// <summary>Creates CUDA provider options with ORT's defaults.</summary>
    public CudaProviderOptionsHandle()
    {
        nint options;
        OrtNative.ThrowIfFailed(OrtNative.Api.CreateCUDAProviderOptions(&options));
        Own(options);
    }

    /// <summary>Sets one option by its ORT name, e.g. "device_id" = "0".</summary>
    public void Set(string key, string value)
    {
        fixed (byte* k = NativeStrings.Utf8(key))
        fixed (byte* v = NativeStrings.Utf8(value))
        {
            byte* keys = k;
            byte* values = v;
            OrtNative.ThrowIfFailed(OrtNative.Api.UpdateCUDAProviderOptions(handle, &keys, &values, 1));
        }
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseCUDAProviderOptions(handle);
        return true;
    }
}
