namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtTypeInfo</c>: the declared type of a session's input or output.</summary>
internal sealed unsafe class TypeInfoHandle : OrtHandle
{
    private const int OnnxTypeTensor = 1;   // ONNX_TYPE_TENSOR

    /// <summary>Gets the type of a session's input, output or overridable initializer.</summary>
    /// <param name="session">The session, used only during this call.</param>
    /// <param name="index">Position in the list that <paramref name="kind"/> names.</param>
    /// <param name="kind">Which list.</param>
    public TypeInfoHandle(SessionHandle session, int index, SessionValueKind kind)
    {
        nint info;
        nint native = session.DangerousGetHandle();
        OrtNative.ThrowIfFailed(kind switch
        {
            SessionValueKind.Input => OrtNative.Api.SessionGetInputTypeInfo(native, (nuint)index, &info),
            SessionValueKind.Output => OrtNative.Api.SessionGetOutputTypeInfo(native, (nuint)index, &info),
            _ => OrtNative.Api.SessionGetOverridableInitializerTypeInfo(native, (nuint)index, &info),
        });
        Own(info);
    }

    /// <summary>Describes the input or output as <see cref="TensorMetadata"/>.</summary>
    /// <param name="name">Its name.</param>
    public TensorMetadata ToMetadata(string name)
    {
        int onnxType;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetOnnxTypeFromTypeInfo(handle, &onnxType));
        if (onnxType != OnnxTypeTensor)
        {
            return new TensorMetadata(name, isTensor: false, TensorElementType.Undefined, [], []);
        }

        // Borrowed from the type info: valid while this handle lives, never released on its own.
        nint tensorInfo;
        OrtNative.ThrowIfFailed(OrtNative.Api.CastTypeInfoToTensorInfo(handle, &tensorInfo));
        TensorElementType elementType = TensorTypeAndShapeInfoHandle.ReadElementType(tensorInfo);
        long[] dimensions = TensorTypeAndShapeInfoHandle.ReadDimensions(tensorInfo);
        string?[] symbols = TensorTypeAndShapeInfoHandle.ReadSymbolicDimensions(tensorInfo, dimensions.Length);
        return new TensorMetadata(name, isTensor: true, elementType, dimensions, symbols);
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseTypeInfo(handle);
        return true;
    }
}
