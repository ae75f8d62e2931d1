using System.Reflection;
using FewShot.Samples.WebService;
using FewShot.Samples.WebService.Endpoints;
using FewShot.Samples.WebService.Users;
using Microsoft.Extensions.Options;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddFewShotService();

WebApplication app = builder.Build();
try
{
    // Load the bundle, open the state folder and check the limits now, so that a wrong setting stops the service at startup.
    app.Services.GetRequiredService<UserStateStore>();
    app.Services.GetRequiredService<RequestLimits>();
}
catch (Exception exception) when (IsSetting(exception) && Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    // A setting the service cannot run with (no signing key, no bundle): its message says which and how to give it,
    // which an unhandled exception would bury under a stack trace, ending the process with SIGABRT. Hosted in a test
    // (WebApplicationFactory runs this in the test's process), the exception is left for the test to see.
    Console.Error.WriteLine(exception is OptionsValidationException invalid ? string.Join(Environment.NewLine, invalid.Failures) : exception.Message);
    return 1;
}

app.UseExceptionHandler();
// Routing answers some client errors (415, 405, 404) with no body: give them problem details too.
app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
// The body limit before the concurrency limit: an oversized body is refused without taking a slot or waiting for one.
app.UseMiddleware<RequestBodyLimitMiddleware>();
app.UseRateLimiter();
RequestsInProgress inProgress = app.Services.GetRequiredService<RequestsInProgress>();
app.Use(inProgress.TrackAsync);
app.MapFewShotEndpoints();
app.Run();
return 0;

/// <summary>The service's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program
{
    /// <summary>Whether the service stopped at startup for one of its settings (FewShot:Runtime:StateSigningKey, FewShot:BundlePath, …), whose message says which.</summary>
    private static bool IsSetting(Exception exception) => exception is OptionsValidationException or FileNotFoundException
        || exception is ArgumentException { ParamName: $"{FewShotServiceOptions.Section}:BundlePath" };
}
