namespace FewShot.Sdk.Data;

/// <summary>
/// An unsigned-byte array read from an IDX file (the format of MNIST and Fashion-MNIST): its dimensions and its
/// values in row-major order. Immutable after construction; owns its arrays.
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(int[] shape, byte[] values)
    {
        Shape = Array.AsReadOnly(shape);
        Values = values;
    }

    /// <summary>The dimensions, outermost first (e.g. [60000, 28, 28] for images, [60000] for labels).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values, row-major; its length is the product of <see cref="Shape"/>. Do not modify.</summary>
    public byte[] Values { get; }
}
