namespace FewShot.Exporters.Autodiff;

/// <summary>Options of <see cref="Gradients.Append"/>. Defaults suit a scalar loss.</summary>
public sealed class GradientOptions
{
    /// <summary>
    /// The value holding the gradient of the differentiated output (same shape and type), typically a graph input;
    /// null (the default) seeds a scalar output with 1.
    /// </summary>
    public string? Seed { get; init; }

    /// <summary>Values treated as constants: no gradient flows through them to what they were computed from.</summary>
    public IReadOnlySet<string> StopGradients { get; init; } = new HashSet<string>();

    /// <summary>
    /// Names for the gradient values, keyed by the value differentiated with respect to; those listed get an Identity
    /// node with exactly that name. The others keep the name of the node that computed them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Names { get; init; } = new Dictionary<string, string>();

    /// <summary>The rules to use; null means <see cref="GradientRegistry.Default"/>.</summary>
    public GradientRegistry? Registry { get; init; }
}
