namespace FewShot.Sdk.Runs;

/// <summary>
/// One training per run folder, held from before a run's first write to its end (<c>fewshot train</c>, and
/// <see cref="Torch.TorchMetaTrainer.Train"/> for a library's runs). A second training on the same folder would repeat
/// the same iterations and write the same files in turn; it is refused instead, by name. The lock is the operating system's advisory lock on a file in the folder (.NET opens it with
/// <see cref="FileShare.None"/>, which is <c>flock</c> on Linux), so it goes with its process, killed included: no stale
/// lock outlives a crash.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock's file in the run folder; it stays there, empty, between runs.</summary>
    public const string FileName = ".train.lock";

    private readonly FileStream _file;

    private RunFolderLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="folder"/>, creating the folder if needed.</summary>
    /// <exception cref="IOException">Another training holds it (in another process, or in this one), or <paramref name="folder"/> is a file.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(folder))
        {
            throw new IOException($"'{folder}' is a file; a run needs a folder of its own.");
        }

        Directory.CreateDirectory(folder);
        try
        {
            return new RunFolderLock(new FileStream(Path.Combine(folder, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e.HResult is HeldOnUnix or HeldOnWindows)
        {
            throw new IOException($"'{folder}' is being trained by another process (or by another training in this one), which holds {FileName}; let it finish or stop it, or use another folder.", e);
        }
    }

    // What .NET reports when the lock is taken: EWOULDBLOCK from flock on Unix, a sharing violation on Windows.
    private const int HeldOnUnix = 11;
    private const int HeldOnWindows = unchecked((int)0x80070020);

    /// <summary>Releases the lock. Idempotent.</summary>
    public void Dispose() => _file.Dispose();
}
