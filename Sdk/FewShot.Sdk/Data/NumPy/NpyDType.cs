namespace FewShot.Sdk.Data;

/// <summary>
/// The NumPy element types that <see cref="NpyReader"/> reads and <see cref="NpyWriter"/> writes.
/// </summary>
/// <remarks>
/// Each maps to one .NET element type: <see cref="Bool"/> to <see cref="bool"/>, <see cref="UInt8"/> to
/// <see cref="byte"/>, <see cref="Int32"/> to <see cref="int"/>, <see cref="Int64"/> to <see cref="long"/>,
/// <see cref="Float32"/> to <see cref="float"/> and <see cref="Float64"/> to <see cref="double"/>.
/// </remarks>
public enum NpyDType
{
    /// <summary>NumPy <c>bool</c> (descr <c>|b1</c>), one byte per element.</summary>
    Bool,

    /// <summary>NumPy <c>uint8</c> (descr <c>|u1</c>).</summary>
    UInt8,

    /// <summary>NumPy <c>int32</c> (descr <c>&lt;i4</c>).</summary>
    Int32,

    /// <summary>NumPy <c>int64</c> (descr <c>&lt;i8</c>).</summary>
    Int64,

    /// <summary>NumPy <c>float32</c> (descr <c>&lt;f4</c>).</summary>
    Float32,

    /// <summary>NumPy <c>float64</c> (descr <c>&lt;f8</c>).</summary>
    Float64,
}
