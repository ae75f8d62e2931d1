using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace FewShot.Runtime;

/// <summary>The output tensors of one <see cref="InferenceSession.Run"/>, by name, in the order they were requested.</summary>
/// <remarks>
/// The caller owns the collection and, through it, the tensors: disposing it disposes every tensor (keep a tensor
/// beyond that by copying it with <see cref="OrtTensor.ToArray{T}"/>). Reading from several threads is safe.
/// </remarks>
public sealed class SessionOutputs : IReadOnlyDictionary<string, OrtTensor>, IDisposable
{
    private readonly string[] _names;
    private readonly OrtTensor[] _tensors;
    private readonly Dictionary<string, OrtTensor> _byName;

    internal SessionOutputs(IReadOnlyList<string> names, OrtTensor[] tensors)
    {
        _names = [.. names];
        _tensors = tensors;
        _byName = new Dictionary<string, OrtTensor>(_names.Length, StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            _byName[_names[i]] = tensors[i];
        }
    }

    /// <summary>The number of outputs.</summary>
    public int Count => _names.Length;

    /// <summary>The output names, in the order they were requested.</summary>
    public IEnumerable<string> Keys => _names;

    /// <summary>The output tensors, in the order they were requested.</summary>
    public IEnumerable<OrtTensor> Values => _tensors;

    /// <summary>The output tensor named <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No output of that name was requested.</exception>
    public OrtTensor this[string key] => _byName.TryGetValue(key, out OrtTensor? tensor)
        ? tensor
        : throw new KeyNotFoundException($"No output named '{key}' was fetched; the outputs are: {string.Join(", ", _names)}.");

    /// <summary>Whether an output named <paramref name="key"/> was fetched.</summary>
    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    /// <summary>Gets the output tensor named <paramref name="key"/>, if it was fetched.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out OrtTensor value) => _byName.TryGetValue(key, out value);

    /// <summary>The outputs as name–tensor pairs, in the order they were requested.</summary>
    public IEnumerator<KeyValuePair<string, OrtTensor>> GetEnumerator()
    {
        for (int i = 0; i < _names.Length; i++)
        {
            yield return new KeyValuePair<string, OrtTensor>(_names[i], _tensors[i]);
        }
    }

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every output tensor. Idempotent; never throws.</summary>
    public void Dispose()
    {
        foreach (OrtTensor tensor in _tensors)
        {
            tensor.Dispose();
        }
    }
}
