namespace FewShot.Runtime;

/// <summary>Maps the CLR element types that <see cref="OrtTensor"/> holds to ONNX element types.</summary>
internal static class ElementTypes
{
    /// <summary>The ONNX element type of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double, long or bool.</exception>
    public static TensorElementType Of<T>()
        where T : unmanaged
    {
        // typeof comparisons on a value-type T fold to a constant when the JIT specializes this method.
        if (typeof(T) == typeof(float))
        {
            return TensorElementType.Float;
        }

        if (typeof(T) == typeof(double))
        {
            return TensorElementType.Double;
        }

        if (typeof(T) == typeof(long))
        {
            return TensorElementType.Int64;
        }

        if (typeof(T) == typeof(bool))
        {
            return TensorElementType.Bool;
        }

        throw new NotSupportedException(
            $"OrtTensor holds float, double, long or bool elements; {typeof(T).Name} is not one of them.");
    }

    /// <summary>The CLR type name of an element type, for error messages.</summary>
    public static string ClrName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Int64 => "long",
        TensorElementType.Bool => "bool",
        _ => "no CLR type that OrtTensor supports",
    };
}
