using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Runtime.Tests.Bundles;
using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;

namespace FewShot.Runtime.Tests.Sessions;

/// <summary>The shared arena's first chunk is advised onto huge pages (Linux: the platform these tests run on).</summary>
/// <remarks>
/// Serial: the arena is the process's, and a test running beside this one may shrink it (RuntimeOptions.ReleaseMemoryAfterCall)
/// while this one adapts; one fresh-clone CI run saw the advised chunk with nothing resident after this test's adaptation.
/// </remarks>
[Collection(SerialCollection.Name)]
public sealed class ArenaHugePagesTests
{
    [Fact]
    public void AfterALoad_TheArenasFirstChunkIsAMappingAdvisedOntoHugePages()
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests run on Linux, where the arena is advised");
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        _ = model.Adapt(BundleTestData.Examples(6), [0, 1, 2, 0, 1, 2]);

        // The advice covers the chunk less its unaligned ends: at least the chunk less two huge pages. And the chunk is the
        // one the runs use: some of it is resident after an adaptation (a chunk advised beside the used one would not be).
        (long Size, long ResidentKb)[] advised = [.. AdvisedMappings().Where(m => m.Size >= OnnxRuntimeEnvironment.InitialArenaChunkBytes - (4L << 20))];

        Assert.True(advised.Length > 0,
            $"no mapping of at least {(OnnxRuntimeEnvironment.InitialArenaChunkBytes >> 20) - 4} MB carries the huge-page advice ('hg' in /proc/self/smaps)");
        Assert.Contains(advised, m => m.ResidentKb > 0);
    }

    // This process's mappings whose VmFlags carry "hg" (MADV_HUGEPAGE): their size and resident kilobytes.
    private static IEnumerable<(long Size, long ResidentKb)> AdvisedMappings()
    {
        (long size, long resident) = (0, 0);
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                if (fields.Contains("hg"))
                {
                    yield return (size, resident);
                }
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                resident = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.IndexOf('-') is > 0 and var dash && line.IndexOf(' ') > dash)
            {
                string[] range = line[..line.IndexOf(' ')].Split('-');
                size = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
    }
}
