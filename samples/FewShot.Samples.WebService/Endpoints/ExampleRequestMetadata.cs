namespace FewShot.Samples.WebService.Endpoints;

/// <summary>Marks the endpoints whose bodies carry examples (adapt, predict), to which <see cref="RequestBodyLimitMiddleware"/> applies <see cref="RequestLimits.MaxBodyBytes"/>.</summary>
public sealed class ExampleRequestMetadata
{
    /// <summary>The one instance.</summary>
    public static readonly ExampleRequestMetadata Instance = new();

    private ExampleRequestMetadata()
    {
    }
}
