using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FewShot.Samples.WebService.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>The size limits of adapt and predict requests: examples per request and body bytes, both answered 413.</summary>
public sealed class RequestLimitsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_defaults_take_512_examples_in_a_body_sized_for_them()
    {
        using var factory = new ServiceFactory(StateFolder);
        var limits = factory.Services.GetRequiredService<RequestLimits>();

        Assert.Equal(512, limits.MaxExamples);
        Assert.Equal((512 * ((784 * 16) + 256)) + 4096, limits.MaxBodyBytes);
    }

    [Theory]
    [InlineData("adapt")]
    [InlineData("predict")]
    public async Task More_examples_than_the_limit_give_413_naming_it(string verb)
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxExamplesPerRequest"] = "3" });
        using HttpClient client = factory.CreateClient();
        float[][] three = [Shapes.Ink("bar", 0, Side), Shapes.Ink("pole", 0, Side), Shapes.Ink("ring", 0, Side)];
        using HttpResponseMessage allowed = await client.PostAsJsonAsync("/users/erin/adapt", new { examples = three, labels = new[] { "bar", "pole", "ring" } });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        float[][] four = [.. three, Shapes.Ink("slash", 0, Side)];
        using HttpResponseMessage response = await client.PostAsJsonAsync($"/users/erin/{verb}", new { examples = four, labels = new[] { "bar", "pole", "ring", "slash" } });

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "The request holds 4 examples; this service takes at most 3 per request.");
    }

    [Fact]
    public async Task A_body_over_the_byte_limit_gives_413_before_it_is_parsed()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxRequestBodyBytes"] = "1000" });
        using HttpClient client = factory.CreateClient();

        // Not JSON: parsed, it would give 400; refused by its declared length, it gives 413.
        using HttpResponseMessage response = await client.PostAsync("/users/frank/adapt", new StringContent(new string('x', 2000), Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "The request body has 2000 bytes; this service takes at most 1000 bytes per request (512 examples of 784 floats as JSON).");
        Assert.False(File.Exists(Path.Combine(StateFolder, "frank.state")));
    }

    [Fact]
    public async Task A_chunked_body_over_the_byte_limit_gives_413_naming_it()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxRequestBodyBytes"] = "1000" });
        using HttpClient client = factory.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users/frank/predict") { Content = new UnknownLengthContent("{\"examples\": [" + new string(' ', 5000) + "]}") };

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "The request body has more than 1000 bytes; this service takes at most 1000 bytes per request");
    }

    [Fact]
    public async Task The_default_body_limit_fits_the_most_examples_with_the_longest_floats_and_long_labels()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxExamplesPerRequest"] = "4" });
        using HttpClient client = factory.CreateClient();
        var limits = factory.Services.GetRequiredService<RequestLimits>();
        // The smallest normal float, negated: the longest text System.Text.Json writes for a float.
        float[][] examples = [.. Enumerable.Range(0, 4).Select(_ => Enumerable.Repeat(-1.1754944E-38f, 784).ToArray())];
        string[] labels = [.. Enumerable.Range(0, 4).Select(i => new string((char)('a' + i), 200))];
        string json = JsonSerializer.Serialize(new { examples, labels });
        Assert.InRange(json.Length, 4 * 784 * 14, limits.MaxBodyBytes);

        using HttpResponseMessage response = await client.PostAsync("/users/gina/adapt", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using HttpResponseMessage over = await client.PostAsync("/users/gina/adapt", new StringContent(json + new string(' ', (int)limits.MaxBodyBytes - json.Length + 1), Encoding.UTF8, "application/json"));
        await AssertProblem(over, HttpStatusCode.RequestEntityTooLarge, string.Create(CultureInfo.InvariantCulture, $"at most {limits.MaxBodyBytes} bytes"));
    }

    [Fact]
    public async Task Health_is_not_limited()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxRequestBodyBytes"] = "1" });
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A JSON body sent without Content-Length, as a chunked upload is.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly string _json;

        public UnknownLengthContent(string json)
        {
            _json = json;
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(_json)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
