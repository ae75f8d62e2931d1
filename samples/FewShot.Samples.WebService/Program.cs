using FewShot.Samples.WebService;
using FewShot.Samples.WebService.Endpoints;
using FewShot.Samples.WebService.Users;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddFewShotService();

WebApplication app = builder.Build();
// Load the bundle and open the state folder now, so that a wrong path stops the service at startup.
app.Services.GetRequiredService<UserStateStore>();
app.UseExceptionHandler();
app.MapFewShotEndpoints();
app.Run();

/// <summary>The service's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
