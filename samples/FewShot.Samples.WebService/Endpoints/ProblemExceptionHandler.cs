using FewShot.Runtime;
using FewShot.Runtime.Bundles;
using FewShot.Samples.WebService.Users;
using Microsoft.AspNetCore.Diagnostics;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// Answers client errors with a problem-details JSON whose <c>detail</c> is the exception's message: malformed
/// requests and invalid input 400, unknown users 404, requests over the size limits 413, unreadable stored states 409, a support set on which
/// adaptation diverges, or queries whose prediction does, 422. Anything else, the service's own faults included, is left
/// to the default handler (500, without details, logged).
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    /// <inheritdoc/>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        (int status, string title, string detail) = exception switch
        {
            RequestTooLargeException tooLarge => (StatusCodes.Status413PayloadTooLarge, "Request too large", tooLarge.Message),

            // A body without a Content-Type passes routing, and the JSON binder refuses it: the same 415 as routing's.
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", StatusCodeProblems.NotJson(httpContext.Request)),
            BadHttpRequestException bad => (bad.StatusCode, "Malformed request", bad.InnerException is { } inner ? $"{bad.Message} {inner.Message}" : bad.Message),
            ArgumentException invalid => (StatusCodes.Status400BadRequest, "Invalid input", WithoutParameterName(invalid)),
            UserStateNotFoundException missing => (StatusCodes.Status404NotFound, "Unknown user", missing.Message),
            InvalidAdaptedStateException corrupt => (StatusCodes.Status409Conflict, "Stored state cannot be used", $"{corrupt.Message} Adapt again for this user."),

            // NaN or infinity from adapt or predict (inputs far outside the model's range): never a 200 with "NaN" in it.
            NonFiniteResultException nonFinite => (StatusCodes.Status422UnprocessableEntity, nonFinite.Stage == "prediction" ? "Cannot predict these inputs" : "Cannot adapt to this support set", nonFinite.Message),

            // Any other InvalidOperationException (a bundle that is not a classifier, a model without a signing key or
            // loaded prediction-only) is the service's configuration, not the request: the default 500.
            _ => (0, "", ""),
        };
        if (status == 0)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    // ArgumentException.Message ends with " (Parameter 'name')", which names a C# parameter, not a JSON field.
    private static string WithoutParameterName(ArgumentException exception)
    {
        string suffix = $" (Parameter '{exception.ParamName}')";
        return exception.ParamName is not null && exception.Message.EndsWith(suffix, StringComparison.Ordinal)
            ? exception.Message[..^suffix.Length]
            : exception.Message;
    }
}
