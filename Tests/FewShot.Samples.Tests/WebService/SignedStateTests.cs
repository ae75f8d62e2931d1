using System.Net;
using System.Net.Http.Json;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>The service signs each user's state with its configured key and binds it to the user id.</summary>
public sealed class SignedStateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_state_copied_to_another_user_is_refused()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/alice/adapt", Support())).EnsureSuccessStatusCode();
        File.Copy(Path.Combine(StateFolder, "alice.state"), Path.Combine(StateFolder, "bob.state"));

        using HttpResponseMessage response = await client.PostAsJsonAsync("/users/bob/predict", Query());

        await AssertProblem(response, HttpStatusCode.Conflict, "belongs to owner 'alice', not 'bob'");
    }

    [Fact]
    public async Task A_state_edited_on_disk_with_its_checksum_recomputed_is_refused()
    {
        using var factory = new ServiceFactory(StateFolder);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/users/carol/adapt", Support())).EnsureSuccessStatusCode();
        string path = Path.Combine(StateFolder, "carol.state");
        byte[] state = File.ReadAllBytes(path);
        state[state.Length - 100] ^= 1;
        System.Security.Cryptography.SHA256.HashData(state.AsSpan(0, state.Length - 32), state.AsSpan(state.Length - 32));
        File.WriteAllBytes(path, state);

        // A second service on the same folder reads the file, as after a restart.
        using var restarted = new ServiceFactory(StateFolder);
        using HttpResponseMessage response = await restarted.CreateClient().PostAsJsonAsync("/users/carol/predict", Query());

        await AssertProblem(response, HttpStatusCode.Conflict, "signature does not match");
    }
}
