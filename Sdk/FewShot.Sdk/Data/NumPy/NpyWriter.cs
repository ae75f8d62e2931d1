using System.Runtime.InteropServices;
using FewShot.Bundles;

namespace FewShot.Sdk.Data;

/// <summary>
/// Writes .npy arrays as NumPy does: format 1.0 (2.0 for very long headers), little-endian, C order, the data
/// aligned to 64 bytes. Stateless and thread-safe.
/// </summary>
public static class NpyWriter
{
    /// <summary>
    /// Writes <paramref name="array"/> to <paramref name="path"/> atomically: into a temporary file beside it,
    /// then renamed over the target, so that readers never see a half-written file.
    /// </summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => Write(stream, array));
    }

    /// <summary>Writes <paramref name="array"/> at the stream's position; the stream is not disposed.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(NpyHeader.Format(array.DType, array.Shape.ToArray()));
        switch (array.RawData)
        {
            case float[] a: WriteElements(stream, a); break;
            case double[] a: WriteElements(stream, a); break;
            case long[] a: WriteElements(stream, a); break;
            case int[] a: WriteElements(stream, a); break;
            case byte[] a: stream.Write(a); break;
            case bool[] a: WriteElements(stream, a); break;
            default: throw new InvalidOperationException($"cannot write element buffer {array.RawData.GetType().Name}");
        }
    }

    private static void WriteElements<T>(Stream stream, T[] values)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("writing .npy files is implemented for little-endian machines only");
        }

        // Pieces keep each byte view under the 2 GiB that a span can address.
        int piece = (1 << 30) / Marshal.SizeOf<T>();
        for (int start = 0; start < values.Length; start += piece)
        {
            int count = Math.Min(piece, values.Length - start);
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan(start, count)));
        }
    }
}
