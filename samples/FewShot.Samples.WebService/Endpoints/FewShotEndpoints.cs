using FewShot.Runtime.Bundles;
using Microsoft.AspNetCore.Mvc;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>Maps the service's routes.</summary>
public static class FewShotEndpoints
{
    /// <summary>
    /// Maps <c>POST /users/{id}/adapt</c> and <c>POST /users/{id}/predict</c>, both under the body limit
    /// (<see cref="RequestBodyLimitMiddleware"/>) and the concurrency limit (<see cref="ConcurrencyLimit"/>), and <c>GET /health</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapFewShotEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/users/{id}/adapt", (string id, [FromBody] AdaptRequest request, AdaptEndpoint endpoint, CancellationToken cancellationToken) =>
            endpoint.HandleAsync(id, request, cancellationToken))
            .WithMetadata(ExampleRequestMetadata.Instance)
            .RequireRateLimiting(ConcurrencyLimit.Policy);
        routes.MapPost("/users/{id}/predict", (string id, [FromBody] PredictRequest request, PredictEndpoint endpoint, CancellationToken cancellationToken) =>
            endpoint.HandleAsync(id, request, cancellationToken))
            .WithMetadata(ExampleRequestMetadata.Instance)
            .RequireRateLimiting(ConcurrencyLimit.Policy);
        routes.MapGet("/health", (FewShotModel model) =>
            new HealthResponse("ok", model.Hash, model.ToString(), model.ExampleSize, model.Manifest.PredictionsDependOnBatch));
        return routes;
    }
}
