using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FewShot.Samples.Tests.WebService;

/// <summary>
/// Hosts the web service in process on a given state folder, with any further settings of section "FewShot" (e.g.
/// "MaxCachedUsers"). The bundle path is left at its default, so it is resolved the way the service resolves it: from
/// the content root (the project folder) upwards.
/// </summary>
internal sealed class ServiceFactory(string stateFolder, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("FewShot:StateFolder", stateFolder);
        builder.UseSetting("FewShot:Runtime:IntraOpThreads", "1");
        foreach ((string key, string value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting($"FewShot:{key}", value);
        }
    }
}
