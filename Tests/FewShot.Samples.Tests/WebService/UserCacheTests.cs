using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FewShot.Runtime.Bundles;
using FewShot.Samples.WebService.Users;
using Microsoft.Extensions.DependencyInjection;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>
/// The in-memory cache of adapted users: bounded by count and by bytes, least recently used dropped first, dropped
/// users read back from their state files; and state files changed behind the cache's back.
/// </summary>
public sealed class UserCacheTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Beyond_the_user_limit_the_least_recently_used_are_dropped_and_read_back_with_the_same_predictions()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["MaxCachedUsers"] = "2" });
        using HttpClient client = factory.CreateClient();
        var cache = factory.Services.GetRequiredService<AdaptedUserCache>();
        var before = new Dictionary<string, string>();
        foreach (string user in new[] { "u1", "u2", "u3" })
        {
            (await client.PostAsJsonAsync($"/users/{user}/adapt", Support([user + "-a", "b", "c", "d"]))).Dispose();
            before[user] = (await Predict(client, user)).GetRawText();
        }

        Assert.Equal(2, cache.Count);
        Assert.False(cache.Contains("u1"));
        Assert.True(cache.Contains("u2") && cache.Contains("u3"));

        JsonElement reloaded = await Predict(client, "u1");

        Assert.Equal(before["u1"], reloaded.GetRawText());
        Assert.Contains("u1-a", before["u1"]);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains("u1") && cache.Contains("u3"));
        Assert.False(cache.Contains("u2"));
    }

    [Fact]
    public async Task Beyond_the_byte_limit_the_least_recently_used_are_dropped()
    {
        using FewShotModel model = FewShotModel.Load(Shapes.ProtoNetBundle);
        long one = AdaptedUserCache.SizeOf(model.Adapt(Shapes.Ink("bar", 0, Side), ["b"]));
        // Labels "b" and "c" are one character each, so every user below holds exactly one such model's bytes.
        long limit = (2 * one) + (one / 2);
        var settings = new Dictionary<string, string> { ["MaxCachedBytes"] = limit.ToString(CultureInfo.InvariantCulture) };
        using var factory = new ServiceFactory(StateFolder, settings);
        using HttpClient client = factory.CreateClient();
        var cache = factory.Services.GetRequiredService<AdaptedUserCache>();

        foreach (string user in new[] { "v1", "v2", "v3" })
        {
            using HttpResponseMessage adapted = await client.PostAsJsonAsync($"/users/{user}/adapt", new { examples = new[] { Shapes.Ink("bar", 0, Side) }, labels = new[] { user == "v2" ? "c" : "b" } });
            Assert.Equal(HttpStatusCode.OK, adapted.StatusCode);
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(2 * one, cache.Bytes);
        Assert.False(cache.Contains("v1"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/users/v1/predict", Query())).StatusCode);
        Assert.False(cache.Contains("v2"));
    }

    [Fact]
    public async Task A_cached_user_whose_state_file_was_truncated_gets_409_until_adapted_again()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        var cache = factory.Services.GetRequiredService<AdaptedUserCache>();
        (await client.PostAsJsonAsync("/users/hal/adapt", Support())).Dispose();
        JsonElement before = await Predict(client, "hal");
        Assert.True(cache.Contains("hal"));

        string path = Path.Combine(StateFolder, "hal.state");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        using HttpResponseMessage truncated = await client.PostAsJsonAsync("/users/hal/predict", Query());

        await AssertProblem(truncated, HttpStatusCode.Conflict, "corrupted or truncated");
        Assert.False(cache.Contains("hal"));
        (await client.PostAsJsonAsync("/users/hal/adapt", Support())).Dispose();
        Assert.Equal(before.GetRawText(), (await Predict(client, "hal")).GetRawText());
    }

    [Fact]
    public async Task A_cached_user_whose_state_file_was_deleted_is_unknown()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/ivy/adapt", Support())).Dispose();

        File.Delete(Path.Combine(StateFolder, "ivy.state"));
        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/ivy/predict", Query());

        await AssertProblem(response, HttpStatusCode.NotFound, "User 'ivy' has no adapted model");
    }

    [Fact]
    public async Task An_instance_serves_what_another_instance_on_the_same_folder_adapted_since()
    {
        using var first = new ServiceFactory(StateFolder);
        using var second = new ServiceFactory(StateFolder);
        using HttpClient one = first.CreateClient();
        using HttpClient two = second.CreateClient();
        (await one.PostAsJsonAsync("/users/jo/adapt", Support())).Dispose();
        Assert.Equal("bar", (await Predict(two, "jo")).GetProperty("predictions")[0].GetProperty("label").GetString());

        // Longer labels make a longer file, so the change shows whatever the file system's timestamp resolution.
        (await one.PostAsJsonAsync("/users/jo/adapt", Support(["horizontal", "vertical", "circle", "diagonal"]))).Dispose();

        Assert.Equal("horizontal", (await Predict(two, "jo")).GetProperty("predictions")[0].GetProperty("label").GetString());
    }
}
