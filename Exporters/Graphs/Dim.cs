namespace FewShot.Exporters.Graphs;

/// <summary>One dimension of a tensor shape: a fixed size, or a named symbol such as "batch".</summary>
/// <remarks>Converts implicitly from <see cref="long"/> (fixed) and <see cref="string"/> (symbolic).</remarks>
public readonly record struct Dim
{
    private Dim(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbol's name, or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <summary>True when the dimension is a fixed size.</summary>
    public bool IsFixed => Value.HasValue;

    /// <summary>A fixed dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public static Dim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new Dim(value, null);
    }

    /// <summary>A symbolic dimension, e.g. "batch".</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static Dim Symbolic(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return new Dim(null, symbol);
    }

    /// <summary>A fixed dimension.</summary>
    public static implicit operator Dim(long value) => Fixed(value);

    /// <summary>A symbolic dimension.</summary>
    public static implicit operator Dim(string symbol) => Symbolic(symbol);

    /// <inheritdoc />
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol!;
}
