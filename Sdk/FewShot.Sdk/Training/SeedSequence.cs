namespace FewShot.Sdk.Training;

/// <summary>
/// Derives independent, reproducible random streams from one seed: the stream of iteration i (or episode i)
/// depends only on (seed, purpose, i), so a resumed run draws exactly the batches the uninterrupted run would have.
/// </summary>
public static class SeedSequence
{
    /// <summary>What a stream is for; streams of different purposes never coincide.</summary>
    public enum Purpose
    {
        /// <summary>Parameter initialization.</summary>
        Initialization = 1,

        /// <summary>Meta-training batches, one stream per iteration.</summary>
        Training = 2,

        /// <summary>Validation episodes, one stream per episode.</summary>
        Validation = 3,

        /// <summary>Test episodes, one stream per episode.</summary>
        Evaluation = 4,
    }

    /// <summary>A <see cref="Random"/> seeded from (seed, purpose, index) through SplitMix64.</summary>
    public static Random For(int seed, Purpose purpose, long index) => new(Derive(seed, purpose, index));

    /// <summary>The derived 31-bit seed.</summary>
    public static int Derive(int seed, Purpose purpose, long index)
    {
        var state = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)purpose << 56) ^ (ulong)index);
        return (int)(SplitMix64(SplitMix64(state)) >> 33);
    }

    private static ulong SplitMix64(ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }
}
