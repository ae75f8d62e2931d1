using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff;

/// <summary>One element of a small int64 tensor whose contents are tracked: a known number, or a named size such as "batch".</summary>
internal readonly record struct SymbolicInt(long Number, string? Symbol)
{
    /// <summary>True when the number is known.</summary>
    public bool IsKnown => Symbol is null;

    /// <summary>The element that a dimension of a shape becomes when the shape is read as a tensor.</summary>
    public static SymbolicInt Of(Dim dim) => dim.IsFixed ? new SymbolicInt(dim.Value!.Value, null) : new SymbolicInt(0, dim.Symbol);

    /// <summary>The dimension this element describes when the tensor is used as a shape (negative numbers have none).</summary>
    public Dim? ToDim() => Symbol is not null ? Dim.Symbolic(Symbol) : Number >= 0 ? Dim.Fixed(Number) : (Dim?)null;
}
