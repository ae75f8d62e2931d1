using System.Net;
using System.Net.Http.Json;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>Huge finite inputs overflow inside the network: the runtime's NonFiniteResultException is a 422, never a 200 with "NaN".</summary>
public sealed class NonFiniteResultTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_prediction_that_overflows_gives_422_with_the_runtimes_message()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/kim/adapt", Support())).Dispose();
        float[] huge = [.. Shapes.Ink("ring", 4, Side).Select(v => v * 3.4e38f)];

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/kim/predict", new { examples = new[] { huge, Shapes.Ink("bar", 4, Side) } });

        string detail = await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "produced NaN or infinity for these 2 queries");
        Assert.Contains("No prediction is returned", detail);
        Assert.DoesNotContain("\"predictions\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_adaptation_whose_support_overflows_gives_422_naming_the_stage_and_stores_nothing()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        float[] huge = [.. Shapes.Ink("bar", 0, Side).Select(v => v * 3.4e38f)];

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/lee/adapt", new { examples = new[] { huge, Shapes.Ink("ring", 0, Side) }, labels = new[] { "a", "b" } });

        await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "NaN");
        Assert.False(File.Exists(Path.Combine(StateFolder, "lee.state")));
        using HttpResponseMessage predict = await client.PostAsJsonAsync("/users/lee/predict", Query());
        Assert.Equal(HttpStatusCode.NotFound, predict.StatusCode);
    }
}
