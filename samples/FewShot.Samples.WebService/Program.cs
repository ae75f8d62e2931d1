using FewShot.Samples.WebService;
using FewShot.Samples.WebService.Endpoints;
using FewShot.Samples.WebService.Users;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddFewShotService();

WebApplication app = builder.Build();
// Load the bundle, open the state folder and check the limits now, so that a wrong setting stops the service at startup.
app.Services.GetRequiredService<UserStateStore>();
app.Services.GetRequiredService<RequestLimits>();
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

/// <summary>The service's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
