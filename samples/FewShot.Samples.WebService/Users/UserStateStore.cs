using System.Collections.Concurrent;
using FewShot.Runtime.Bundles;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService.Users;

/// <summary>
/// Each user's adapted model: kept in memory and in one state file per user (<c>{StateFolder}/{id}.state</c>,
/// written atomically), so that a restarted service reads it back on the user's first request. A singleton;
/// thread-safe.
/// </summary>
public sealed class UserStateStore
{
    private readonly FewShotModel _model;
    private readonly ConcurrentDictionary<string, AdaptedModel> _cache = new(StringComparer.Ordinal);
    // One lock per user orders a save and a load from disk, so the cache never ends up older than the file.
    private readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);

    /// <summary>Creates the store; creates the state folder if it is missing.</summary>
    public UserStateStore(FewShotModel model, IOptions<FewShotServiceOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _model = model;
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
        lock (_locks.GetOrAdd(userId, _ => new object()))
        {
            adapted.Save(path);
            _cache[userId] = adapted;
        }
    }

    /// <summary>The user's adapted model, from memory or else from their state file.</summary>
    /// <exception cref="ArgumentException">The user id is not valid (see <see cref="UserId"/>).</exception>
    /// <exception cref="UserStateNotFoundException">The user has no state.</exception>
    /// <exception cref="InvalidAdaptedStateException">The user's state file is corrupt or was made for another bundle.</exception>
    public AdaptedModel Get(string userId)
    {
        string path = StatePath(userId);
        if (_cache.TryGetValue(userId, out AdaptedModel? cached))
        {
            return cached;
        }

        lock (_locks.GetOrAdd(userId, _ => new object()))
        {
            if (_cache.TryGetValue(userId, out cached))
            {
                return cached;
            }

            if (!File.Exists(path))
            {
                throw new UserStateNotFoundException(userId);
            }

            AdaptedModel loaded = _model.LoadAdapted(path);
            _cache[userId] = loaded;
            return loaded;
        }
    }

    private string StatePath(string userId) => Path.Combine(Folder, UserId.Validate(userId) + ".state");
}
