namespace FewShot.Samples.WebService.Users;

/// <summary>
/// A state file's length and last write time: what <see cref="UserStateStore"/> compares on each request to notice that
/// a file was truncated, replaced or deleted behind the copy it holds in memory.
/// </summary>
/// <param name="Length">The file's length in bytes.</param>
/// <param name="LastWriteUtc">Its last write time, UTC.</param>
public readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    /// <summary>The stamp of the file at <paramref name="path"/>, or null when there is none.</summary>
    public static FileStamp? Read(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new FileStamp(file.Length, file.LastWriteTimeUtc) : null;
    }
}
