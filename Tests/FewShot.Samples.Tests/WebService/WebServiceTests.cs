using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FewShot.Runtime.Bundles;
using FewShot.Samples.WebService.Users;
using Microsoft.Extensions.DependencyInjection;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>The web service in process: adapt, predict, restart, and problem details for every client error.</summary>
public sealed class WebServiceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Health_reports_the_served_bundle()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        using FewShotModel expected = FewShotModel.Load(Shapes.ProtoNetBundle);

        JsonElement health = await client.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(expected.Hash, health.GetProperty("modelHash").GetString());
        Assert.Equal(784, health.GetProperty("exampleSize").GetInt32());
    }

    [Fact]
    public async Task Adapts_then_predicts_unseen_examples_and_predicts_the_same_after_a_restart()
    {
        JsonElement before;
        using (var factory = new ServiceFactory(StateFolder))
        using (HttpClient client = factory.CreateClient())
        {
            using HttpResponseMessage adapted = await client.PostAsJsonAsync("/users/alice_01/adapt", Support());
            Assert.Equal(HttpStatusCode.OK, adapted.StatusCode);
            JsonElement body = await adapted.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(Classes, body.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(Classes.Length * 3, body.GetProperty("examples").GetInt32());
            Assert.True(File.Exists(Path.Combine(StateFolder, "alice_01.state")));

            before = await Predict(client, "alice_01");
            AssertLabels(before);
        }

        using (var restarted = new ServiceFactory(StateFolder))
        using (HttpClient client = restarted.CreateClient())
        {
            JsonElement after = await Predict(client, "alice_01");

            AssertLabels(after);
            Assert.Equal(before.GetRawText(), after.GetRawText());
        }
    }

    [Fact]
    public async Task Users_are_kept_apart()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        float[][] examples = [Shapes.Ink("bar", 0, Side), Shapes.Ink("ring", 0, Side)];

        Task<HttpResponseMessage>[] adapts =
        [
            client.PostAsJsonAsync("/users/u1/adapt", new { examples, labels = new[] { "line", "circle" } }),
            client.PostAsJsonAsync("/users/u2/adapt", new { examples, labels = new[] { "minus", "zero" } }),
        ];
        foreach (HttpResponseMessage response in await Task.WhenAll(adapts))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        var query = new { examples = new[] { Shapes.Ink("ring", 4, Side) } };
        JsonElement first = await (await client.PostAsJsonAsync("/users/u1/predict", query)).Content.ReadFromJsonAsync<JsonElement>();
        JsonElement second = await (await client.PostAsJsonAsync("/users/u2/predict", query)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("circle", first.GetProperty("predictions")[0].GetProperty("label").GetString());
        Assert.Equal("zero", second.GetProperty("predictions")[0].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData("short", "Example 1 has 783 floats; every example must have 784 floats (shape [1, 28, 28], row-major)")]
    [InlineData("nan", "NaN at example 2, element 5")]
    [InlineData("empty", "'examples' is empty")]
    [InlineData("no-labels", "'labels' is missing")]
    [InlineData("label-count", "hold 3 examples but 2 labels were given")]
    public async Task Bad_support_sets_give_400_naming_the_problem(string problem, string message)
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        float[][] examples = [Shapes.Ink("bar", 0, Side), Shapes.Ink("pole", 0, Side), Shapes.Ink("ring", 0, Side)];
        string[]? labels = ["a", "b", "c"];
        switch (problem)
        {
            case "short": examples[1] = examples[1][..^1]; break;
            case "nan": examples[2][5] = float.NaN; break;
            case "empty": examples = []; labels = []; break;
            case "no-labels": labels = null; break;
            default: labels = ["a", "b"]; break;
        }

        string json = JsonSerializer.Serialize(new { examples, labels }, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        using HttpResponseMessage response = await client.PostAsync("/users/bob/adapt", new StringContent(json, Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.BadRequest, message);
        Assert.False(File.Exists(Path.Combine(StateFolder, "bob.state")));
    }

    [Theory]
    [InlineData("{\"examples\": [[1, 2,", "from the request body as JSON")]
    [InlineData("{\"examples\": \"zeros\"}", "from the request body as JSON")]
    [InlineData("", "was not provided from body")]
    public async Task Malformed_json_gives_400(string body, string message)
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage response = await client.PostAsync("/users/bob/adapt", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("text/plain", "this request's Content-Type is 'text/plain; charset=utf-8'")]
    [InlineData(null, "this request's Content-Type is missing")]
    public async Task A_body_not_sent_as_json_gives_415_naming_the_content_type(string? mediaType, string message)
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        using HttpContent body = mediaType is null ? new ByteArrayContent("{}"u8.ToArray()) : new StringContent("{}", Encoding.UTF8, mediaType);

        using HttpResponseMessage response = await client.PostAsync("/users/bob/adapt", body);

        string detail = await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, message);
        Assert.Contains("'Content-Type: application/json'", detail);
    }

    [Fact]
    public async Task An_unknown_route_gives_404_naming_the_routes()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/users/bob");

        await AssertProblem(response, HttpStatusCode.NotFound, "There is no GET /users/bob; this service answers POST /users/{id}/adapt");
    }

    [Fact]
    public async Task Predicting_for_an_unknown_user_gives_404()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/nobody/predict", new { examples = new[] { Shapes.Ink("bar", 0, Side) } });

        await AssertProblem(response, HttpStatusCode.NotFound, "User 'nobody' has no adapted model");
    }

    [Fact]
    public async Task Bad_queries_give_400()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/carol/adapt", Support())).Dispose();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/carol/predict", new { examples = new[] { new float[10] } });

        await AssertProblem(response, HttpStatusCode.BadRequest, "Example 0 has 10 floats");
        using HttpResponseMessage one = await client.PostAsJsonAsync("/users/carol/predict", new { examples = new[] { new float[1] } });
        await AssertProblem(one, HttpStatusCode.BadRequest, "Example 0 has 1 float; every example must have 784 floats");
    }

    [Theory]
    [InlineData("..%2F..%2Fescaped")]
    [InlineData("a.b")]
    [InlineData("caf%C3%A9")]
    [InlineData("a%20b")]
    [InlineData("x1234567890123456789012345678901234567890123456789012345678901234")]
    public async Task User_ids_that_could_leave_the_state_folder_are_rejected(string id)
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage adapt = await client.PostAsJsonAsync($"/users/{id}/adapt", Support());
        using HttpResponseMessage predict = await client.PostAsJsonAsync($"/users/{id}/predict", new { examples = new[] { Shapes.Ink("bar", 0, Side) } });

        await AssertProblem(adapt, HttpStatusCode.BadRequest, "is not valid: use 1 to 64 ASCII letters, digits, '_' or '-'");
        await AssertProblem(predict, HttpStatusCode.BadRequest, "is not valid");
        Assert.Equal([StateFolder], Directory.GetFileSystemEntries(_folder.Path));
        Assert.Empty(Directory.GetFileSystemEntries(StateFolder));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../escaped")]
    [InlineData("/tmp/escaped")]
    [InlineData("")]
    public void The_state_store_refuses_ids_that_name_other_paths(string id)
    {
        // HttpClient and Kestrel resolve "/users/../adapt" before routing, so the store itself is asked directly.
        using var factory = new ServiceFactory(StateFolder);
        var store = factory.Services.GetRequiredService<UserStateStore>();
        using FewShotModel model = FewShotModel.Load(Shapes.ProtoNetBundle);
        AdaptedModel adapted = model.Adapt(Shapes.Ink("bar", 0, Side), ["bar"]);

        var save = Assert.Throws<ArgumentException>(() => store.Save(id, adapted));
        var get = Assert.Throws<ArgumentException>(() => store.Get(id));

        Assert.Contains($"The user id '{id}' is not valid", save.Message);
        Assert.Contains($"The user id '{id}' is not valid", get.Message);
        Assert.Equal([StateFolder], Directory.GetFileSystemEntries(_folder.Path));
        Assert.Empty(Directory.GetFileSystemEntries(StateFolder));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_corrupt_stored_state_gives_409_after_a_restart(bool truncate)
    {
        using (var factory = new ServiceFactory(StateFolder))
        using (HttpClient client = factory.CreateClient())
        {
            (await client.PostAsJsonAsync("/users/dave/adapt", Support())).Dispose();
        }

        string path = Path.Combine(StateFolder, "dave.state");
        byte[] state = File.ReadAllBytes(path);
        File.WriteAllBytes(path, truncate ? state[..100] : [.. state[..^1], (byte)(state[^1] ^ 1)]);
        using var restarted = new ServiceFactory(StateFolder);
        using HttpClient again = restarted.CreateClient();

        using HttpResponseMessage response = await again.PostAsJsonAsync("/users/dave/predict", new { examples = new[] { Shapes.Ink("bar", 0, Side) } });

        await AssertProblem(response, HttpStatusCode.Conflict, "corrupted or truncated");
    }

    private static void AssertLabels(JsonElement response)
    {
        JsonElement[] predictions = [.. response.GetProperty("predictions").EnumerateArray()];
        Assert.Equal(Classes, predictions.Select(p => p.GetProperty("label").GetString()));
        foreach (JsonElement prediction in predictions)
        {
            JsonProperty[] probabilities = [.. prediction.GetProperty("probabilities").EnumerateObject()];
            Assert.Equal(Classes, probabilities.Select(p => p.Name));
            Assert.Equal(1.0, probabilities.Sum(p => p.Value.GetDouble()), 4);
            Assert.Equal(probabilities.Max(p => p.Value.GetDouble()), prediction.GetProperty("probability").GetDouble());
        }
    }
}
