namespace FewShot.Sdk.Data;

/// <summary>
/// The task distribution of the MAML paper's sinusoid regression (Finn et al. 2017, §5.1); defaults in one place.
/// Each range is sampled uniformly, [min, max).
/// </summary>
public sealed class SinusoidOptions
{
    /// <summary>Smallest amplitude. Default 0.1.</summary>
    public double AmplitudeMin { get; init; } = 0.1;

    /// <summary>Largest amplitude. Default 5.</summary>
    public double AmplitudeMax { get; init; } = 5.0;

    /// <summary>Smallest phase in radians. Default 0.</summary>
    public double PhaseMin { get; init; }

    /// <summary>Largest phase in radians. Default π.</summary>
    public double PhaseMax { get; init; } = Math.PI;

    /// <summary>Smallest input x. Default −5.</summary>
    public double InputMin { get; init; } = -5.0;

    /// <summary>Largest input x. Default 5.</summary>
    public double InputMax { get; init; } = 5.0;
}
