namespace FewShot.Runtime;

/// <summary>Element type of a tensor; the values are ONNX's (<c>TensorProto.DataType</c>, C <c>ONNXTensorElementDataType</c>).</summary>
/// <remarks>
/// Metadata may report any of these; <see cref="OrtTensor"/> holds <see cref="Float"/> (<see cref="float"/>),
/// <see cref="Double"/> (<see cref="double"/>), <see cref="Int64"/> (<see cref="long"/>) and <see cref="Bool"/>
/// (<see cref="bool"/>). Types that ONNX added later (float8, int4, ...) appear as their numeric value.
/// </remarks>
public enum TensorElementType
{
    /// <summary>Not a tensor, or not known.</summary>
    Undefined = 0,

    /// <summary>32-bit IEEE float (<see cref="float"/>).</summary>
    Float = 1,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,

    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 4,

    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 5,

    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,

    /// <summary>Signed 64-bit integer (<see cref="long"/>).</summary>
    Int64 = 7,

    /// <summary>UTF-8 string.</summary>
    String = 8,

    /// <summary>Boolean stored in one byte, 0 or 1 (<see cref="bool"/>).</summary>
    Bool = 9,

    /// <summary>16-bit IEEE float.</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE float (<see cref="double"/>).</summary>
    Double = 11,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 12,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 13,

    /// <summary>Complex number of two 32-bit floats.</summary>
    Complex64 = 14,

    /// <summary>Complex number of two 64-bit floats.</summary>
    Complex128 = 15,

    /// <summary>Brain float: the upper 16 bits of a 32-bit float.</summary>
    BFloat16 = 16,
}
