namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Counts the adapt and predict requests past the concurrency limit (holding one of its permits), from before their body
/// is read until their answer is written: at most <see cref="FewShotServiceOptions.MaxConcurrentRequests"/>. For
/// monitoring and tests. A singleton; thread-safe.
/// </summary>
public sealed class RequestsInProgress
{
    private int _count;

    /// <summary>How many are being processed now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts <paramref name="context"/>'s request while <paramref name="next"/> processes it, for endpoints marked with <see cref="ExampleRequestMetadata"/>.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ExampleRequestMetadata>() is null)
        {
            await next(context);
            return;
        }

        Interlocked.Increment(ref _count);
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
