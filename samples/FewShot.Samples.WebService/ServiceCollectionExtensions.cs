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
    /// <summary>Adds the options (section <see cref="FewShotServiceOptions.Section"/>), the model (FewShot.Runtime's <c>AddFewShotModel</c>), the user store and its cache, the request limits, the endpoints and the error handling.</summary>
    public static IServiceCollection AddFewShotService(this IServiceCollection services)
    {
        services.AddOptions<FewShotServiceOptions>().BindConfiguration(FewShotServiceOptions.Section);
        // The model: FewShot.Runtime's own registration, bound to the same section (BundlePath, Device, Runtime:IntraOpThreads).
        services.AddFewShotModel()
            .BindConfiguration(FewShotServiceOptions.Section)
            .PostConfigure<IHostEnvironment>((model, environment) => model.BundlePath = BundleLocation.Resolve(model.BundlePath, environment.ContentRootPath));
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
