using System.Globalization;

namespace FewShot.Runtime.Tests;

/// <summary>The test process's memory after a full collection, for tests that assert it stays flat.</summary>
internal static class ProcessMemory
{
    /// <summary>Collects (finalizers included), then reads the managed heap and the resident set.</summary>
    public static (long Managed, long Rss) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managed = GC.GetTotalMemory(forceFullCollection: true);

        // /proc/self/statm: size resident shared text lib data dt, in pages.
        string[] statm = File.ReadAllText("/proc/self/statm").Split(' ');
        long rss = long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (managed, rss);
    }
}
