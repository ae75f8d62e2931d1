using Microsoft.AspNetCore.Http.Features;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Refuses an adapt or predict body larger than <see cref="RequestLimits.MaxBodyBytes"/>: at once, before anything reads
/// it, when its Content-Length says so; otherwise (chunked) as soon as more has been read (<see cref="LimitedBodyStream"/>).
/// Must run after routing, which tells which endpoint the request is for.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, RequestLimits limits)
{
    /// <summary>Applies the limit to requests for endpoints marked with <see cref="ExampleRequestMetadata"/>.</summary>
    /// <exception cref="RequestTooLargeException">The declared Content-Length is over the limit, or (thrown by the body's reads) the body is.</exception>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ExampleRequestMetadata>() is not null)
        {
            limits.CheckBodyLength(context.Request.ContentLength);
            context.Request.Body = new LimitedBodyStream(context.Request.Body, limits);

            // The stream enforces the limit with a problem detail; the server's own (Kestrel's default is 30 MB) would
            // stop at the same byte with an empty 413, or refuse a body under this limit if it were configured above it.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = null;
            }
        }

        return next(context);
    }
}
