using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>
/// The web service's predict, one example per request as an app sends a photo: with an inductive bundle (the shipped one, and a MAML
/// bundle normalized by its support set's statistics) each example
/// alone gets the batch's probabilities (to 1e-5) and the right label; /health says whether answers depend on the batch.
/// </summary>
public sealed class SingleExampleTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> InductiveBundles => [Shapes.ProtoNetBundle, Shapes.SupportStatisticsBundle];

    [Theory]
    [MemberData(nameof(InductiveBundles))]
    public async Task Each_example_alone_gets_the_batchs_answer_and_the_right_label(string bundle)
    {
        using var factory = new ServiceFactory(_folder.Combine("states"), new Dictionary<string, string> { ["BundlePath"] = bundle });
        using HttpClient client = factory.CreateClient();
        using HttpResponseMessage adapted = await client.PostAsJsonAsync("/users/ann/adapt", Support());
        Assert.Equal(HttpStatusCode.OK, adapted.StatusCode);
        float[][] examples = [.. Classes.SelectMany(kind => new[] { Shapes.Ink(kind, 4, Side), Shapes.Ink(kind, 5, Side) })];

        JsonElement[] batch = await PredictAll(client, examples);

        for (int i = 0; i < examples.Length; i++)
        {
            JsonElement alone = Assert.Single(await PredictAll(client, [examples[i]]));
            Assert.Equal(batch[i].GetProperty("label").GetString(), alone.GetProperty("label").GetString());
            Assert.Equal(Classes[i / 2], alone.GetProperty("label").GetString());
            foreach (JsonProperty probability in batch[i].GetProperty("probabilities").EnumerateObject())
            {
                Assert.Equal(probability.Value.GetDouble(), alone.GetProperty("probabilities").GetProperty(probability.Name).GetDouble(), 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Health_says_whether_answers_depend_on_the_batch(bool inductive)
    {
        // The service's default bundle is the shipped, inductive one.
        var settings = inductive ? null : new Dictionary<string, string> { ["BundlePath"] = Shapes.TransductiveBundle };
        using var factory = new ServiceFactory(_folder.Combine("states"), settings);
        using HttpClient client = factory.CreateClient();

        JsonElement health = await client.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal(!inductive, health.GetProperty("predictionsDependOnBatch").GetBoolean());
    }

    private static async Task<JsonElement[]> PredictAll(HttpClient client, float[][] examples)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/ann/predict", new { examples });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray()];
    }
}
