using Microsoft.AspNetCore.Diagnostics;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Gives the answers that ASP.NET Core's routing sends without a body (415 for a body declared as something other than
/// JSON, 405 for a method a route does not take, 404 for an unknown route) a problem-details JSON whose <c>detail</c>
/// names the problem, as every other client error has. Used with <c>UseStatusCodePages</c>, which calls it only for such
/// empty answers.
/// </summary>
public static class StatusCodeProblems
{
    private const string Routes = "POST /users/{id}/adapt, POST /users/{id}/predict and GET /health";

    /// <summary>Writes the problem details for <paramref name="context"/>'s status code.</summary>
    public static Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpContext httpContext = context.HttpContext;
        HttpRequest request = httpContext.Request;
        int status = httpContext.Response.StatusCode;
        string? detail = status switch
        {
            StatusCodes.Status415UnsupportedMediaType => NotJson(request),
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}; this service answers {Routes}.",
            StatusCodes.Status404NotFound => $"There is no {request.Method} {request.Path}; this service answers {Routes}.",
            _ => null,
        };
        return httpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Detail = detail },
        }).AsTask();
    }

    /// <summary>The detail of a 415: the body must be JSON, and what the request's Content-Type was instead.</summary>
    public static string NotJson(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string given = string.IsNullOrEmpty(request.ContentType) ? "missing" : $"'{request.ContentType}'";
        return $"The body must be JSON, sent with 'Content-Type: application/json'; this request's Content-Type is {given}.";
    }
}
