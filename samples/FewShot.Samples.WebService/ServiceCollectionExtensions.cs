using System.Text.Json.Serialization;
using FewShot.Runtime.Hosting;
using FewShot.Samples.WebService.Endpoints;
using FewShot.Samples.WebService.Users;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;

namespace FewShot.Samples.WebService;

/// <summary>Registers the service's parts.</summary>
public static class ServiceCollectionExtensions
{
    private const string MissingSigningKey =
        $"{FewShotServiceOptions.Section}:Runtime:StateSigningKey is not set. The service signs each user's state and binds it to the user id, "
        + "so it needs a secret key: base64 of 32 random bytes (openssl rand -base64 32), in the environment variable "
        + "FewShot__Runtime__StateSigningKey or a secret store. (The sample key is in the project's appsettings.json, which is read only "
        + "when the content root is the project folder: run from there, or pass --contentRoot.)";

    /// <summary>
    /// Adds the options (section <see cref="FewShotServiceOptions.Section"/>), the model (FewShot.Runtime's <c>AddFewShotModel</c>,
    /// which must have a state signing key and must not be prediction-only), the user store and its cache, the request
    /// limits, the endpoints and the error handling.
    /// </summary>
    public static IServiceCollection AddFewShotService(this IServiceCollection services)
    {
        services.AddOptions<FewShotServiceOptions>().BindConfiguration(FewShotServiceOptions.Section);
        // The model: FewShot.Runtime's own registration, bound to the same section (BundlePath, Device, Runtime:IntraOpThreads).
        services.AddFewShotModel()
            .BindConfiguration(FewShotServiceOptions.Section)
            .PostConfigure<IHostEnvironment>((model, environment) => model.BundlePath = BundleLocation.Resolve(model.BundlePath, environment.ContentRootPath))
            // Every state is saved signed and bound to its user, and every adapt request adapts: settings under which
            // neither can work stop the service at startup instead of failing each request.
            .Validate(model => model.Runtime.StateSigningKey is { Length: > 0 }, MissingSigningKey)
            .Validate(model => !model.Runtime.PredictionOnly, $"{FewShotServiceOptions.Section}:Runtime:PredictionOnly is true, but this service adapts a model for each user; leave it false.")
            .ValidateOnStart();
        services.AddSingleton<AdaptedUserCache>();
        services.AddSingleton<UserStateStore>();
        services.AddSingleton<RequestLimits>();
        services.AddModelConcurrencyLimit();
        services.AddSingleton<RequestsInProgress>();
        services.AddSingleton<AdaptEndpoint>();
        services.AddSingleton<PredictEndpoint>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Malformed bodies then reach ProblemExceptionHandler, which says what was wrong, instead of an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // "NaN" and "Infinity" parse, so that the runtime can name the example and element that holds them.
        services.Configure<JsonOptions>(options => options.SerializerOptions.NumberHandling |= JsonNumberHandling.AllowNamedFloatingPointLiterals);
        return services;
    }
}
