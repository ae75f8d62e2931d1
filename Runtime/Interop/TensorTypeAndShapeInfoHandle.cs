using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>
/// An <c>OrtTensorTypeAndShapeInfo</c> of a tensor value; its static readers also serve the borrowed infos that
/// <c>CastTypeInfoToTensorInfo</c> returns.
/// </summary>
internal sealed unsafe class TensorTypeAndShapeInfoHandle : OrtHandle
{
    /// <summary>Gets the element type and shape of a tensor value.</summary>
    /// <param name="value">The tensor, used only during this call.</param>
    public TensorTypeAndShapeInfoHandle(ValueHandle value)
    {
        nint info;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetTensorTypeAndShape(value.DangerousGetHandle(), &info));
        Own(info);
    }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType => ReadElementType(handle);

    /// <summary>The dimensions (-1 where unknown).</summary>
    public long[] GetDimensions() => ReadDimensions(handle);

    /// <summary>Reads the element type of an <c>OrtTensorTypeAndShapeInfo*</c>.</summary>
    public static TensorElementType ReadElementType(nint info)
    {
        int type;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetTensorElementType(info, &type));
        return (TensorElementType)type;
    }

    /// <summary>Reads the dimensions of an <c>OrtTensorTypeAndShapeInfo*</c>; -1 marks a dimension that is not fixed.</summary>
    public static long[] ReadDimensions(nint info)
    {
        nuint count;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetDimensionsCount(info, &count));
        if (count == 0)
        {
            return [];
        }

        var dimensions = new long[checked((int)count)];
        fixed (long* values = dimensions)
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.GetDimensions(info, values, count));
        }

        return dimensions;
    }

    /// <summary>Reads the dimension names (<c>dim_param</c>) of an <c>OrtTensorTypeAndShapeInfo*</c>; null where a dimension has none.</summary>
    public static string?[] ReadSymbolicDimensions(nint info, int rank)
    {
        if (rank == 0)
        {
            return [];
        }

        // The strings belong to the info; ORT reports "" for a dimension without a name.
        var names = new nint[rank];
        fixed (nint* pointers = names)
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.GetSymbolicDimensions(info, (byte**)pointers, (nuint)rank));
        }

        var symbols = new string?[rank];
        for (int i = 0; i < rank; i++)
        {
            string? name = Marshal.PtrToStringUTF8(names[i]);
            symbols[i] = string.IsNullOrEmpty(name) ? null : name;
        }

        return symbols;
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseTensorTypeAndShapeInfo(handle);
        return true;
    }
}
