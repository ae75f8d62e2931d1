using System.Diagnostics.CodeAnalysis;
using FewShot.Runtime.Bundles;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService.Users;

/// <summary>
/// The adapted models kept in memory, least recently used dropped first once there are more than
/// <see cref="FewShotServiceOptions.MaxCachedUsers"/> users or more than <see cref="FewShotServiceOptions.MaxCachedBytes"/>
/// bytes (see <see cref="SizeOf"/>). Dropping forgets only the memory copy: the state file stays, and
/// <see cref="UserStateStore"/> reads it back on the user's next request. A singleton; thread-safe.
/// </summary>
public sealed class AdaptedUserCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    // Most recently used first.
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;

    /// <summary>Creates an empty cache with the limits of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public AdaptedUserCache(IOptions<FewShotServiceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxUsers = options.Value.MaxCachedUsers;
        MaxBytes = options.Value.MaxCachedBytes;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxUsers, $"{FewShotServiceOptions.Section}:{nameof(FewShotServiceOptions.MaxCachedUsers)}");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytes, $"{FewShotServiceOptions.Section}:{nameof(FewShotServiceOptions.MaxCachedBytes)}");
    }

    /// <summary>The most users kept.</summary>
    public int MaxUsers { get; }

    /// <summary>The most bytes kept.</summary>
    public long MaxBytes { get; }

    /// <summary>How many users are kept now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The bytes kept now, the sum of <see cref="SizeOf"/> over the kept models.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The bytes an adapted model holds: 4 per float of each adapted tensor, 2 per character of each label.</summary>
    public static long SizeOf(AdaptedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Tensors.Sum(t => (long)t.Values.Length * sizeof(float)) + model.Labels.Sum(l => (long)l.Length * sizeof(char));
    }

    /// <summary>Whether <paramref name="userId"/> is kept, without marking it used.</summary>
    public bool Contains(string userId)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(userId);
        }
    }

    /// <summary>The user's model and the stamp of the file it was saved to or read from, marking the user most recently used.</summary>
    public bool TryGet(string userId, [MaybeNullWhen(false)] out AdaptedModel model, out FileStamp stamp)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(userId, out LinkedListNode<Entry>? node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                (model, stamp) = (node.Value.Model, node.Value.Stamp);
                return true;
            }
        }

        (model, stamp) = (null, default);
        return false;
    }

    /// <summary>Keeps <paramref name="model"/> as the user's, most recently used, then drops the least recently used users beyond the limits (possibly this one, if it alone exceeds <see cref="MaxBytes"/>).</summary>
    public void Set(string userId, AdaptedModel model, FileStamp stamp)
    {
        var entry = new Entry(userId, model, stamp, SizeOf(model));
        lock (_gate)
        {
            RemoveCore(userId);
            _entries[userId] = _order.AddFirst(entry);
            _bytes += entry.Bytes;
            while (_entries.Count > MaxUsers || _bytes > MaxBytes)
            {
                RemoveCore(_order.Last!.Value.UserId);
            }
        }
    }

    /// <summary>Forgets the user's memory copy, if any.</summary>
    public void Remove(string userId)
    {
        lock (_gate)
        {
            RemoveCore(userId);
        }
    }

    private void RemoveCore(string userId)
    {
        if (_entries.Remove(userId, out LinkedListNode<Entry>? node))
        {
            _order.Remove(node);
            _bytes -= node.Value.Bytes;
        }
    }

    private sealed record Entry(string UserId, AdaptedModel Model, FileStamp Stamp, long Bytes);
}
