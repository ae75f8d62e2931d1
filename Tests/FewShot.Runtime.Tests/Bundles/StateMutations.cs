using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Corruptions of adapted-state files: flipped bits, absurd counts and sizes, and a recomputed hash that lets them reach the parser.</summary>
internal static class StateMutations
{
    private const int HashBytes = 32;

    // Counts, lengths, ranks and dimensions all sit in the header and tensor headers near the start of the file.
    private const int FieldRegion = 256;

    private static readonly uint[] AbsurdValues = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF, 1 << 20];

    /// <summary>A copy with one bit flipped before the trailing hash.</summary>
    public static byte[] FlipBit(byte[] state, Random random)
    {
        byte[] copy = [.. state];
        copy[random.Next(copy.Length - HashBytes)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    /// <summary>A copy with an absurd 32-bit value written at a 4-byte offset in the header region.</summary>
    public static byte[] AbsurdField(byte[] state, Random random)
    {
        byte[] copy = [.. state];
        int offset = random.Next(Math.Min(FieldRegion, copy.Length - HashBytes - 4));
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), AbsurdValues[random.Next(AbsurdValues.Length)]);
        return copy;
    }

    /// <summary>The state with its trailing SHA-256 recomputed, as someone editing the file on purpose would.</summary>
    public static byte[] Rehash(byte[] state)
    {
        SHA256.HashData(state.AsSpan(0, state.Length - HashBytes), state.AsSpan(state.Length - HashBytes));
        return state;
    }
}
