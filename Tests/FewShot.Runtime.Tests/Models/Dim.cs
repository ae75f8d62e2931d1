namespace FewShot.Runtime.Tests.Models;

/// <summary>One dimension of a declared shape: a fixed size, a symbolic name, or neither (unknown).</summary>
internal readonly record struct Dim(long? Value, string? Symbol)
{
    public static Dim Unknown => new(null, null);

    public static implicit operator Dim(long value) => new(value, null);

    public static implicit operator Dim(string symbol) => new(null, symbol);
}
