using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Sessions;

/// <summary>
/// Asks Linux to back the shared CPU arena's first chunk with transparent huge pages (2 MB) where the system allows
/// them on request (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> at <c>madvise</c>, Debian's default, or
/// <c>always</c>), so that the first runs fault in their buffers 2 MB at a time instead of 4 KB.
/// </summary>
/// <remarks>
/// Why: a process's first adaptation writes its buffers for the first time, and each first write of a 4 KB page is a
/// fault; a conv4 MAML step's 15,000 of them took about 100 ms of its first step on the benchmark VM (first 1-step
/// adaptation after Load 106–145 ms, 33–45 ms with the advice; a probe of Load without warm-up, 2026-12-05). glibc's
/// <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c> gives the same, but only when set before the process starts.
/// The arena allocates its first chunk on its first request, and sessions put their initializers elsewhere
/// (<c>session.use_device_allocator_for_initializers</c>), so once the process's first bundle has its sessions, and
/// before any of them runs, one request of the chunk's size creates the chunk; it is advised and freed back, stays the
/// arena's, and its pages become resident only once written, as before.
/// </remarks>
internal static partial class ArenaHugePages
{
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE
    private const long HugePageBytes = 2L << 20;

    // Held until the advice is done: a second model's Load must not return (and run, its warm-up first) before the
    // chunk exists, or its buffers would create the chunk and the advice would go to a second one beside it.
    private static readonly Lock Gate = new();
    private static bool _advised;

    /// <summary>
    /// Once per process, through <paramref name="session"/> (which takes its CPU buffers from the shared arena), creates
    /// the arena's first chunk and advises it; nothing off Linux, and nothing more when ONNX Runtime or the kernel declines.
    /// </summary>
    public static void AdviseOnce(InferenceSession session)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        lock (Gate)
        {
            if (_advised)
            {
                return;
            }

            _advised = true;
            Advise(session);
        }
    }

    private static void Advise(InferenceSession session)
    {
        try
        {
            using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            using var arena = new OrtAllocator(session, cpu);
            using OrtMemoryAllocation chunk = arena.Allocate(OnnxRuntimeEnvironment.InitialArenaChunkBytes);
            long start = chunk.DangerousGetHandle().ToInt64();
            long first = (start + HugePageBytes - 1) & ~(HugePageBytes - 1);
            long end = (start + OnnxRuntimeEnvironment.InitialArenaChunkBytes) & ~(HugePageBytes - 1);
            if (end > first)
            {
                // A refusal (huge pages off, an old kernel) leaves the chunk on 4 KB pages, as without the advice.
                _ = Madvise(new IntPtr(first), (nuint)(end - first), MadviseHugePage);
            }
        }
        catch (OnnxRuntimeException)
        {
            // No arena to ask: the buffers stay on 4 KB pages.
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(IntPtr address, nuint length, int advice);
}
