using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Sessions;

/// <summary>
/// Graphs as ONNX Runtime optimized them on this machine, kept in a folder (<see cref="RuntimeOptions.GraphCacheDirectory"/>)
/// so that a later process opens a session without optimizing the graph again.
/// </summary>
/// <remarks>
/// Why: optimizing took most of a session's creation (conv4 MAML's adapt graph: 41 ms from the bundle's graph, 15 ms
/// from its optimized form with optimization off; a probe, 2026-12-05), and a process that adapts once and exits pays it
/// at every start. ONNX Runtime's optimized graphs hold kernels laid out for this CPU (NCHWc blocks sized to its vector
/// width), so an entry's name is a SHA-256 of the graph's bytes, ONNX Runtime's version, the optimization level and the
/// CPU's architecture and instruction sets: another machine or version finds no entry and writes its own. An entry is
/// written beside its final name and renamed into place; one ONNX Runtime cannot open is deleted and rebuilt, never
/// reported as a fault of the bundle. The folder keeps at most <see cref="MaxBytes"/> of entries, the oldest written
/// deleted first. Only CPU sessions are cached.
/// </remarks>
internal sealed class OptimizedGraphCache
{
    // Bumped when what an entry holds changes meaning, so that older entries are no longer found.
    private const string FormatTag = "fewshot-optimized-graph-1";

    /// <summary>The most bytes of entries the folder keeps: 256 MB; beyond it, the entries written longest ago are deleted.</summary>
    internal const long MaxBytes = 256L << 20;

    // A temporary file this old was left by a process that stopped while writing it.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    // ONNX Runtime's version, the CPU's architecture and instruction sets: what an optimized graph is valid for.
    private static readonly Lazy<string> Platform = new(() => $"{OnnxRuntimeEnvironment.EnsureCreated().GetVersionString()}\n{DescribeMachine()}");
    private readonly string _directory;

    private OptimizedGraphCache(string directory) => _directory = directory;

    /// <summary>The cache that <paramref name="options"/> asks for, or null: no folder set, a CUDA device, or optimization off.</summary>
    public static OptimizedGraphCache? For(RuntimeOptions options) =>
        options.GraphCacheDirectory is { } directory
        && options.Device.Kind == ExecutionDeviceKind.Cpu
        && options.GraphOptimizationLevel != GraphOptimizationLevel.Disabled
            ? new OptimizedGraphCache(Path.GetFullPath(directory))
            : null;

    /// <summary>
    /// A session of <paramref name="model"/> with <paramref name="options"/>: from its cached optimized form when there is
    /// one, else optimized now and cached. Faults of the cache (an unwritable folder, a damaged entry) are logged and
    /// passed over; faults of the graph are ONNX Runtime's, as without a cache.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejects the graph.</exception>
    public InferenceSession Open(byte[] model, RuntimeOptions options, ILogger logger)
    {
        string entry = Path.Combine(_directory, Key(model, options) + ".onnx");
        if (TryOpenEntry(entry, options, logger) is { } cached)
        {
            return cached;
        }

        string? temporary = Prepare(entry, logger);
        if (temporary is not null)
        {
            try
            {
                InferenceSession session;
                using (SessionOptions saving = SessionOptionsFactory.Create(options, null, logger))
                {
                    saving.OptimizedModelFilePath = temporary;
                    session = new InferenceSession(model, saving);
                }

                Publish(temporary, entry, logger);
                Trim(_directory, entry, logger);
                return session;
            }
            catch (OnnxRuntimeException e)
            {
                // Either the graph is bad (the plain session below says so in ONNX Runtime's words) or the entry could not be written.
                logger.LogDebug(e, "Graph cache: the optimized graph was not written to {Entry}", entry);
                Delete(temporary);
            }
        }

        using SessionOptions plain = SessionOptionsFactory.Create(options, null, logger);
        return new InferenceSession(model, plain);
    }

    private static InferenceSession? TryOpenEntry(string entry, RuntimeOptions options, ILogger logger)
    {
        byte[] optimized;
        try
        {
            optimized = File.ReadAllBytes(entry);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Graph cache: {Entry} cannot be read; the graph is optimized again", entry);
            return null;
        }

        RuntimeOptions asOptimized = options.Copy();
        asOptimized.GraphOptimizationLevel = GraphOptimizationLevel.Disabled;
        try
        {
            using SessionOptions native = SessionOptionsFactory.Create(asOptimized, null, logger);
            return new InferenceSession(optimized, native);
        }
        catch (OnnxRuntimeException e)
        {
            logger.LogWarning(e, "Graph cache: ONNX Runtime cannot open {Entry}; it is deleted and written again", entry);
            Delete(entry);
            return null;
        }
    }

    // The temporary file the optimized graph is written to, in the cache's folder (created, owner-only, when missing); null when the folder cannot be made or written to.
    private static string? Prepare(string entry, ILogger logger)
    {
        string directory = Path.GetDirectoryName(entry)!;
        try
        {
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            // Created here, empty, so that a folder this process cannot write to is found before ONNX Runtime optimizes the
            // graph, not by a failed session that would have to optimize it again.
            string temporary = $"{entry}.{Guid.NewGuid():N}.tmp";
            File.Create(temporary).Dispose();
            return temporary;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Graph cache: the folder {Directory} cannot be created or written to; graphs are optimized at every load", directory);
            return null;
        }
    }

    private static void Publish(string temporary, string entry, ILogger logger)
    {
        try
        {
            File.Move(temporary, entry, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Graph cache: {Entry} cannot be written", entry);
            Delete(temporary);
        }
    }

    // Keeps the folder under MaxBytes, deleting the entries written longest ago first (never the one just written), and
    // removes temporary files that a process which stopped while writing left behind.
    private static void Trim(string directory, string keep, ILogger logger)
    {
        try
        {
            var files = new DirectoryInfo(directory).GetFiles();
            DateTime abandoned = DateTime.UtcNow - AbandonedAfter;
            foreach (FileInfo file in files.Where(f => f.Name.EndsWith(".tmp", StringComparison.Ordinal) && f.LastWriteTimeUtc < abandoned))
            {
                Delete(file.FullName);
            }

            FileInfo[] entries = [.. files.Where(f => f.Extension == ".onnx").OrderBy(f => f.LastWriteTimeUtc)];
            long total = entries.Sum(f => f.Length);
            foreach (FileInfo oldest in entries)
            {
                if (total <= MaxBytes)
                {
                    break;
                }

                if (oldest.FullName != keep)
                {
                    Delete(oldest.FullName);
                    total -= oldest.Length;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug(e, "Graph cache: the folder {Directory} was not trimmed", directory);
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for a later load to replace: an entry that cannot be opened is rebuilt whether or not it was deleted.
        }
    }

    private static string Key(byte[] model, RuntimeOptions options)
    {
        string context = $"{FormatTag}\n{Platform.Value}\n{options.GraphOptimizationLevel}\n";
        return Convert.ToHexStringLower(Digests.Sha256(System.Text.Encoding.UTF8.GetBytes(context), model));
    }

    // What ONNX Runtime's kernels and layout passes are chosen by: the architecture and its instruction sets.
    private static string DescribeMachine()
    {
        (string Name, bool Supported)[] sets =
        [
            ("sse4.2", Sse42.IsSupported), ("avx", Avx.IsSupported), ("avx2", Avx2.IsSupported), ("fma", Fma.IsSupported),
            ("avxvnni", AvxVnni.IsSupported), ("avx512f", Avx512F.IsSupported), ("avx512bw", Avx512BW.IsSupported),
            ("avx512cd", Avx512CD.IsSupported), ("avx512dq", Avx512DQ.IsSupported), ("avx512vbmi", Avx512Vbmi.IsSupported),
            ("avx10.1", Avx10v1.IsSupported), ("advsimd", AdvSimd.IsSupported), ("dotprod", Dp.IsSupported),
            ("rdm", Rdm.IsSupported),
        ];
        return $"{RuntimeInformation.ProcessArchitecture}:{string.Join(',', sets.Where(s => s.Supported).Select(s => s.Name))}";
    }
}
