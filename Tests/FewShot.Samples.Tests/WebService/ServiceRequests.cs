using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FewShot.Samples.Tests.WebService;

/// <summary>Request bodies and answer checks shared by the web service's tests.</summary>
internal static class ServiceRequests
{
    public const int Side = 28;

    public static readonly string[] Classes = ["bar", "pole", "ring", "slash"];

    /// <summary>A support set of the four shapes, three variants each, labelled with <paramref name="labels"/> (default: the shapes' names).</summary>
    public static object Support(string[]? labels = null)
    {
        var examples = new List<float[]>();
        var names = new List<string>();
        for (int c = 0; c < Classes.Length; c++)
        {
            for (int variant = 0; variant < 3; variant++)
            {
                examples.Add(Shapes.Ink(Classes[c], variant, Side));
                names.Add((labels ?? Classes)[c]);
            }
        }

        return new { examples, labels = names };
    }

    /// <summary>An unseen variant of each shape.</summary>
    public static object Query() => new { examples = Classes.Select(kind => Shapes.Ink(kind, 4, Side)).ToArray() };

    /// <summary>Predicts <see cref="Query"/> for <paramref name="user"/>, which must succeed.</summary>
    public static async Task<JsonElement> Predict(HttpClient client, string user)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync($"/users/{user}/predict", Query());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Checks that <paramref name="response"/> is a problem-details JSON of <paramref name="status"/> whose detail holds <paramref name="message"/>.</summary>
    public static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        string? detail = problem.GetProperty("detail").GetString();
        Assert.Contains(message, detail);
        Assert.DoesNotContain("(Parameter '", detail);
        return detail!;
    }
}
