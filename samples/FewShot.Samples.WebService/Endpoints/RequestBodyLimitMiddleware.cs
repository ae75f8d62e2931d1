using Microsoft.AspNetCore.Http.Features;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Refuses an adapt or predict body larger than <see cref="RequestLimits.MaxBodyBytes"/> before anything reads it: at once
/// when its Content-Length says so, otherwise through the server's <see cref="IHttpMaxRequestBodySizeFeature"/> (Kestrel
/// then stops reading a chunked body at the limit). Must run after routing, which tells which endpoint the request is for.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, RequestLimits limits)
{
    /// <summary>Applies the limit to requests for endpoints marked with <see cref="ExampleRequestMetadata"/>.</summary>
    /// <exception cref="RequestTooLargeException">The declared Content-Length is over the limit.</exception>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ExampleRequestMetadata>() is not null)
        {
            limits.CheckBodyLength(context.Request.ContentLength);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limits.MaxBodyBytes;
            }
        }

        return next(context);
    }
}
