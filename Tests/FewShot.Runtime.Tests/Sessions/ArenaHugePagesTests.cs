using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Runtime.Tests.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Sessions;

/// <summary>The shared arena's first chunk is advised onto huge pages (Linux: the platform these tests run on).</summary>
public sealed class ArenaHugePagesTests
{
    [Fact]
    public void AfterALoad_TheArenasFirstChunkIsAMappingAdvisedOntoHugePages()
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests run on Linux, where the arena is advised");
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        _ = model.Adapt(BundleTestData.Examples(6), [0, 1, 2, 0, 1, 2]);

        // The advice covers the chunk less its unaligned ends: at least the chunk less two huge pages.
        long advised = AdvisedMappings().DefaultIfEmpty().Max();

        Assert.True(advised >= OnnxRuntimeEnvironment.InitialArenaChunkBytes - (4L << 20),
            $"no mapping of at least {(OnnxRuntimeEnvironment.InitialArenaChunkBytes >> 20) - 4} MB carries the huge-page advice ('hg' in /proc/self/smaps); largest {advised >> 20} MB");
    }

    // The sizes of this process's mappings whose VmFlags carry "hg" (MADV_HUGEPAGE).
    private static IEnumerable<long> AdvisedMappings()
    {
        long size = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("hg"))
                {
                    yield return size;
                }
            }
            else if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.IndexOf('-') is > 0 and var dash && line.IndexOf(' ') > dash)
            {
                string[] range = line[..line.IndexOf(' ')].Split('-');
                size = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
    }
}
