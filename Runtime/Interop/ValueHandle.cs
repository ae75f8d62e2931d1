using System.Buffers;

namespace FewShot.Runtime.Interop;

/// <summary>
/// An <c>OrtValue</c> holding a tensor. When it wraps managed memory it also owns the pin on that memory, and releases
/// the pin only after the value: ORT may be reading the memory until the value is gone.
/// </summary>
internal sealed unsafe class ValueHandle : OrtHandle
{
    private MemoryHandle _pin;

    /// <summary>Creates a tensor over memory that the caller has pinned; the handle takes over the pin.</summary>
    /// <param name="pin">Pin on the data; disposed by this handle (also when creation fails).</param>
    /// <param name="byteLength">Size of the data in bytes.</param>
    /// <param name="shape">Dimensions; copied by ORT.</param>
    /// <param name="elementType">Element type of the data.</param>
    public ValueHandle(MemoryHandle pin, nuint byteLength, ReadOnlySpan<long> shape, TensorElementType elementType)
    {
        _pin = pin;
        nint value;
        long empty = 0;
        try
        {
            fixed (long* dims = shape)
            {
                // A scalar has no dimensions; hand ORT a valid pointer all the same.
                OrtNative.ThrowIfFailed(OrtNative.Api.CreateTensorWithDataAsOrtValue(
                    OrtNative.CpuMemoryInfo.DangerousGetHandle(), pin.Pointer, byteLength,
                    shape.IsEmpty ? &empty : dims, (nuint)shape.Length, (int)elementType, &value));
            }
        }
        catch
        {
            // Without a value there is nothing for ReleaseHandle to release, so the pin must go here.
            _pin.Dispose();
            throw;
        }

        Own(value);
    }

    /// <summary>Creates a tensor whose memory ORT allocates with its default CPU allocator; its contents are unspecified.</summary>
    /// <param name="shape">Dimensions; copied by ORT.</param>
    /// <param name="elementType">Element type.</param>
    public ValueHandle(ReadOnlySpan<long> shape, TensorElementType elementType)
    {
        nint value;
        long empty = 0;
        fixed (long* dims = shape)
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.CreateTensorAsOrtValue(
                OrtNative.DefaultAllocator, shape.IsEmpty ? &empty : dims, (nuint)shape.Length, (int)elementType, &value));
        }

        Own(value);
    }

    private ValueHandle(nint value)
    {
        Own(value);
    }

    /// <summary>Takes ownership of a value that ORT created (an output of <c>Run</c>).</summary>
    public static ValueHandle Adopt(nint value) => new(value);

    /// <summary>Pointer to the tensor's first element; stays valid while the value lives.</summary>
    public void* GetData()
    {
        void* data;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetTensorMutableData(handle, &data));
        return data;
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseValue(handle);
        _pin.Dispose();
        return true;
    }
}
