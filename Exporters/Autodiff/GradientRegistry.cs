using FewShot.Exporters.Autodiff.Rules;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// The table of backward rules, one entry per ONNX operator. <see cref="Default"/> holds FewShot's rules and is
/// read-only and thread-safe; <see cref="CreateDefault"/> gives a private copy that callers may extend.
/// </summary>
public sealed class GradientRegistry
{
    private readonly Dictionary<string, (GradientRule Rule, bool Broadcasting)> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompositeRule> _composites = new(StringComparer.Ordinal);
    private bool _readOnly;

    /// <summary>The built-in rules (read-only).</summary>
    public static GradientRegistry Default { get; } = CreateDefault().AsReadOnly();

    /// <summary>The operators that have a rule.</summary>
    public IReadOnlyCollection<string> OpTypes => _rules.Keys;

    /// <summary>A new registry holding the built-in rules, which the caller may extend or override.</summary>
    public static GradientRegistry CreateDefault()
    {
        var registry = new GradientRegistry();
        ElementwiseRules.Register(registry);
        MatMulRules.Register(registry);
        ConvPoolRules.Register(registry);
        ReductionRules.Register(registry);
        ShapeRules.Register(registry);
        IndexingRules.Register(registry);
        NormalizationRules.Register(registry);
        return registry;
    }

    /// <summary>Adds or replaces the rule of <paramref name="opType"/>.</summary>
    /// <param name="opType">The operator, in the default ONNX domain.</param>
    /// <param name="rule">The backward rule.</param>
    /// <param name="broadcasting">True when the op broadcasts its inputs (numpy rules): the engine then sums each input's gradient over the broadcast axes.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The registry is <see cref="Default"/>, which is read-only.</exception>
    public GradientRegistry Register(string opType, GradientRule rule, bool broadcasting = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(rule);
        if (_readOnly)
        {
            throw new InvalidOperationException("GradientRegistry.Default is shared and read-only; extend a copy from GradientRegistry.CreateDefault()");
        }

        _rules[opType] = (rule, broadcasting);
        return this;
    }

    /// <summary>Adds or replaces the rule of the compositions whose output node has the doc string <paramref name="marker"/>.</summary>
    /// <param name="marker">The doc string that the composition's builder puts on its output node.</param>
    /// <param name="rule">The backward rule of the whole composition.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The registry is <see cref="Default"/>, which is read-only.</exception>
    public GradientRegistry RegisterComposite(string marker, CompositeRule rule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(marker);
        ArgumentNullException.ThrowIfNull(rule);
        if (_readOnly)
        {
            throw new InvalidOperationException("GradientRegistry.Default is shared and read-only; extend a copy from GradientRegistry.CreateDefault()");
        }

        _composites[marker] = rule;
        return this;
    }

    /// <summary>True when <paramref name="opType"/> has a rule.</summary>
    public bool Contains(string opType) => _rules.ContainsKey(opType);

    internal bool TryGet(string opType, out GradientRule rule, out bool broadcasting)
    {
        var found = _rules.TryGetValue(opType, out var entry);
        (rule, broadcasting) = entry;
        return found;
    }

    internal bool TryGetComposite(string marker, out CompositeRule rule) => _composites.TryGetValue(marker, out rule!);

    private GradientRegistry AsReadOnly()
    {
        _readOnly = true;
        return this;
    }
}
