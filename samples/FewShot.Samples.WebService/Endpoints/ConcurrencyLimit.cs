using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Bounds how many adapt and predict requests are processed at once (ASP.NET Core's rate limiting, one concurrency
/// limiter for all users), so that memory is bounded by that number times one request's budget. A waiting request has
/// not read its body yet; when the queue is full too, the request is answered 503 with Retry-After.
/// </summary>
public static class ConcurrencyLimit
{
    /// <summary>The rate-limiting policy the adapt and predict endpoints require.</summary>
    public const string Policy = "fewshot-model";

    /// <summary>Seconds a refused client is asked to wait (the Retry-After header): adapt and predict of a full request take about a second.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>Adds the rate limiter with <see cref="Policy"/>, sized by <see cref="FewShotServiceOptions.MaxConcurrentRequests"/> and <see cref="FewShotServiceOptions.RequestQueueLimit"/>.</summary>
    public static IServiceCollection AddModelConcurrencyLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<FewShotServiceOptions>>((limiter, options) =>
        {
            FewShotServiceOptions settings = options.Value;
            int permits = settings.MaxConcurrentRequests;
            int queue = settings.RequestQueueLimit;
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits, $"{FewShotServiceOptions.Section}:{nameof(settings.MaxConcurrentRequests)}");
            ArgumentOutOfRangeException.ThrowIfNegative(queue, $"{FewShotServiceOptions.Section}:{nameof(settings.RequestQueueLimit)}");
            limiter.AddConcurrencyLimiter(Policy, concurrency =>
            {
                concurrency.PermitLimit = permits;
                concurrency.QueueLimit = queue;
                concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = (context, cancellationToken) => RejectAsync(context.HttpContext, permits, queue);
        });
        return services;
    }

    private static async ValueTask RejectAsync(HttpContext httpContext, int permits, int queue)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var problemDetails = httpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Busy",
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"The service is processing {Counted.Of(permits, "adapt or predict request", "adapt or predict requests")}, its limit, and {Counted.Of(queue, "more is", "more are")} waiting, its queue's limit; retry after {RetryAfterSeconds} s."),
            },
        });
    }
}
