using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// The runtime's SHA-256 and HMAC-SHA256, in managed code (BouncyCastle). On Linux, .NET's System.Security.Cryptography
/// loads OpenSSL on first use: libcrypto and libssl cost a process 10–11.5 ms and 3.7 MB of resident memory. Managed
/// hashing is slower per byte (420 KB: 5–6 ms in a JIT probe, 2.1 ms compiled ahead of time, against 0.26 ms once OpenSSL
/// is loaded and 5.9 ms for .NET's first hash, which loads it; 2026-12-05), so a process that loads
/// one bundle takes about as long and 3.7 MB less, and one that loads many pays a few milliseconds more per Load
/// (benchmarks/README.md, lever table). The bytes are the standard algorithms' (checked against .NET's in DigestsTests).
/// </summary>
internal static class Digests
{
    /// <summary>The length of a SHA-256 digest and of an HMAC-SHA256 tag.</summary>
    public const int Sha256Bytes = 32;

    /// <summary>The SHA-256 of <paramref name="data"/>.</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> data) => Sha256(data, []);

    /// <summary>The SHA-256 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var digest = new Sha256Digest();
        digest.BlockUpdate(first);
        digest.BlockUpdate(second);
        byte[] result = new byte[Sha256Bytes];
        digest.DoFinal(result);
        return result;
    }

    /// <summary>The HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/>.</summary>
    public static byte[] HmacSha256(byte[] key, ReadOnlySpan<byte> data)
    {
        var mac = new HMac(new Sha256Digest());
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(data);
        byte[] result = new byte[Sha256Bytes];
        mac.DoFinal(result);
        return result;
    }
}
