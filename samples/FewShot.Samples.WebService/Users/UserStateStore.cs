using FewShot.Runtime.Bundles;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService.Users;

/// <summary>
/// Each user's adapted model: one state file per user (<c>{StateFolder}/{id}.state</c>, written atomically at adapt time),
/// which is authoritative, and a bounded copy in memory (<see cref="AdaptedUserCache"/>). A restarted service, or one
/// whose cache dropped the user, reads the file back on the user's next request. A singleton; thread-safe.
/// </summary>
/// <remarks>
/// Each request compares the file's length and last write time with those of the copy in memory (one stat, microseconds
/// beside a prediction's milliseconds). When the file was truncated, replaced or deleted behind the service's back, the
/// copy is dropped and the file decides: a damaged one gives <see cref="InvalidAdaptedStateException"/> (409, adapt
/// again), a missing one <see cref="UserStateNotFoundException"/>, a valid one (another instance adapted the same user)
/// is served. So what a user gets never depends on whether they happened to be in memory.
/// </remarks>
public sealed class UserStateStore
{
    // Striped locks order a save and a load from disk for one user, so memory never ends up older than the file,
    // without one lock object per id ever seen, which a caller inventing ids could grow without bound.
    private const int LockStripes = 64;
    private readonly object[] _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new object())];
    private readonly FewShotModel _model;
    private readonly AdaptedUserCache _cache;

    /// <summary>Creates the store; creates the state folder if it is missing.</summary>
    public UserStateStore(FewShotModel model, AdaptedUserCache cache, IOptions<FewShotServiceOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _model = model;
        _cache = cache;
        Folder = Path.GetFullPath(options.Value.StateFolder, environment.ContentRootPath);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The state folder's full path.</summary>
    public string Folder { get; }

    /// <summary>Stores <paramref name="adapted"/> as the user's model, on disk first, then in memory.</summary>
    /// <exception cref="ArgumentException">The user id is not valid (see <see cref="UserId"/>).</exception>
    /// <exception cref="IOException">The state file cannot be written; the previous one is then untouched.</exception>
    public void Save(string userId, AdaptedModel adapted)
    {
        ArgumentNullException.ThrowIfNull(adapted);
        string path = StatePath(userId);
        lock (LockFor(userId))
        {
            adapted.Save(path, userId);
            if (FileStamp.Read(path) is { } stamp)
            {
                _cache.Set(userId, adapted, stamp);
            }
        }
    }

    /// <summary>The user's adapted model, from memory while its state file is unchanged, else from the file.</summary>
    /// <exception cref="ArgumentException">The user id is not valid (see <see cref="UserId"/>).</exception>
    /// <exception cref="UserStateNotFoundException">The user has no state file.</exception>
    /// <exception cref="InvalidAdaptedStateException">The user's state file is corrupt or truncated, or was made for another bundle.</exception>
    public AdaptedModel Get(string userId)
    {
        string path = StatePath(userId);
        if (FileStamp.Read(path) is { } current && _cache.TryGet(userId, out AdaptedModel? cached, out FileStamp stamp) && stamp == current)
        {
            return cached;
        }

        lock (LockFor(userId))
        {
            FileStamp? onDisk = FileStamp.Read(path);
            if (onDisk is { } again && _cache.TryGet(userId, out cached, out stamp) && stamp == again)
            {
                return cached;
            }

            _cache.Remove(userId);
            if (onDisk is not { } found)
            {
                throw new UserStateNotFoundException(userId);
            }

            AdaptedModel loaded = _model.LoadAdapted(path, userId);
            // A file replaced while it was read leaves a stamp that no longer matches, so the next request reads it again.
            _cache.Set(userId, loaded, found);
            return loaded;
        }
    }

    private object LockFor(string userId) => _locks[(uint)StringComparer.Ordinal.GetHashCode(userId) % LockStripes];

    private string StatePath(string userId) => Path.Combine(Folder, UserId.Validate(userId) + ".state");
}
