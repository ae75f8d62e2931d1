using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace FewShot.Benchmarks.TorchSharp;

/// <summary>conv4's parameters as one file of raw little-endian float32 values, in <see cref="Conv4.Parameters"/>'s order.</summary>
internal static class Weights
{
    public static void Save(string path, IEnumerable<Tensor> parameters)
    {
        using var file = File.Create(path);
        foreach (var p in parameters)
        {
            file.Write(MemoryMarshal.AsBytes(p.contiguous().data<float>().ToArray().AsSpan()));
        }
    }

    /// <summary>Reads the parameters of a conv4 with a head of <paramref name="ways"/> outputs (0: an encoder).</summary>
    public static Tensor[] Load(string path, int ways)
    {
        var values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path));
        var shapes = Conv4.Shapes(ways);
        var tensors = new Tensor[shapes.Length];
        var offset = 0;
        for (var i = 0; i < shapes.Length; i++)
        {
            var count = (int)shapes[i].Aggregate(1L, (a, b) => a * b);
            tensors[i] = tensor(values.Slice(offset, count).ToArray(), shapes[i]);
            offset += count;
        }

        return tensors;
    }
}
