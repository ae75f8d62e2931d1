using System.Security.Cryptography;
using System.Text;
using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>The runtime's managed SHA-256 and HMAC-SHA256 give the standard algorithms' bytes.</summary>
public sealed class DigestsTests
{
    [Fact]
    public void Sha256_MatchesFipsVectors()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(Digests.Sha256([])));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hex(Digests.Sha256("abc"u8)));
        Assert.Equal(
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            Hex(Digests.Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8)));
    }

    [Fact]
    public void Sha256_MatchesDotNets_AtEveryLengthAroundTheBlocks_AndForTwoParts()
    {
        var random = new Random(3);
        for (int length = 0; length <= 200; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), Digests.Sha256(data));
            int cut = length / 3;
            Assert.Equal(SHA256.HashData(data), Digests.Sha256(data.AsSpan(0, cut), data.AsSpan(cut)));
        }

        byte[] large = new byte[1 << 20];
        random.NextBytes(large);
        Assert.Equal(SHA256.HashData(large), Digests.Sha256(large));
    }

    [Fact]
    public void HmacSha256_MatchesRfc4231_AndDotNets_ForShortAndLongKeys()
    {
        // RFC 4231, test case 2.
        Assert.Equal(
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            Hex(Digests.HmacSha256(Encoding.ASCII.GetBytes("Jefe"), "what do ya want for nothing?"u8)));
        var random = new Random(4);
        foreach (int keyLength in new[] { 1, 32, 63, 64, 65, 131 })
        {
            byte[] key = new byte[keyLength];
            byte[] data = new byte[keyLength * 7 + 5];
            random.NextBytes(key);
            random.NextBytes(data);
            Assert.Equal(HMACSHA256.HashData(key, data), Digests.HmacSha256(key, data));
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
