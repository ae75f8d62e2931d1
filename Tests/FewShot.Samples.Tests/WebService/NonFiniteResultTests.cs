using System.Net;
using System.Net.Http.Json;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>
/// Huge finite inputs (3.4e38), which would overflow inside the network: the runtime refuses them against the bundle's
/// declared input range before any graph runs (400 naming the example, element and range), never a 200 with "NaN".
/// A graph that still produces NaN or infinity (a damaged bundle) is the runtime's NonFiniteResultException, a 422.
/// </summary>
public sealed class NonFiniteResultTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_prediction_of_huge_values_gives_400_naming_the_input_range_never_NaN()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/kim/adapt", Support())).Dispose();
        float[] huge = [.. Shapes.Ink("ring", 4, Side).Select(v => v * 3.4e38f)];

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/kim/predict", new { examples = new[] { huge, Shapes.Ink("bar", 4, Side) } });

        await AssertProblem(response, HttpStatusCode.BadRequest, "outside the model's input range [0, 1]");
        Assert.DoesNotContain("\"predictions\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_adaptation_on_huge_values_gives_400_and_stores_nothing()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        float[] huge = [.. Shapes.Ink("bar", 0, Side).Select(v => v * 3.4e38f)];

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/lee/adapt", new { examples = new[] { huge, Shapes.Ink("ring", 0, Side) }, labels = new[] { "a", "b" } });

        await AssertProblem(response, HttpStatusCode.BadRequest, "outside the model's input range [0, 1]");
        Assert.False(File.Exists(Path.Combine(StateFolder, "lee.state")));
        using HttpResponseMessage predict = await client.PostAsJsonAsync("/users/lee/predict", Query());
        Assert.Equal(HttpStatusCode.NotFound, predict.StatusCode);
    }
}
