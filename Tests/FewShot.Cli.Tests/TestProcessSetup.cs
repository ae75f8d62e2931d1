using System.Runtime.CompilerServices;

namespace FewShot.Cli.Tests;

/// <summary>What the test process sets before any command runs.</summary>
internal static class TestProcessSetup
{
    /// <summary>
    /// `fewshot adapt` keeps optimized graphs in the user's cache folder (RuntimeOptions.DefaultGraphCacheDirectory);
    /// the tests give it a folder of their own, removed when the process exits, so that nothing lands in the home folder.
    /// </summary>
    [ModuleInitializer]
    internal static void KeepTheGraphCacheInATemporaryFolder()
    {
        string cache = Directory.CreateTempSubdirectory("fewshot-cli-tests-cache-").FullName;
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(cache, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind; the system's cleaner takes it.
            }
        };
    }
}
