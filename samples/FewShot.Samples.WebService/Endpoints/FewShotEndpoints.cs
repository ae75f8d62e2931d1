using FewShot.Runtime.Bundles;
using Microsoft.AspNetCore.Mvc;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>Maps the service's routes.</summary>
public static class FewShotEndpoints
{
    /// <summary>Maps <c>POST /users/{id}/adapt</c>, <c>POST /users/{id}/predict</c> and <c>GET /health</c>.</summary>
    public static IEndpointRouteBuilder MapFewShotEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/users/{id}/adapt", (string id, [FromBody] AdaptRequest request, AdaptEndpoint endpoint, CancellationToken cancellationToken) =>
            endpoint.HandleAsync(id, request, cancellationToken));
        routes.MapPost("/users/{id}/predict", (string id, [FromBody] PredictRequest request, PredictEndpoint endpoint, CancellationToken cancellationToken) =>
            endpoint.HandleAsync(id, request, cancellationToken));
        routes.MapGet("/health", (FewShotModel model) =>
            new HealthResponse("ok", model.Hash, model.ToString(), model.ExampleSize));
        return routes;
    }
}
