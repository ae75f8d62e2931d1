using System.Net;
using System.Net.Http.Json;
using System.Text;
using FewShot.Samples.WebService.Endpoints;
using Microsoft.Extensions.DependencyInjection;
using static FewShot.Samples.Tests.WebService.ServiceRequests;

namespace FewShot.Samples.Tests.WebService;

/// <summary>The concurrency limit of adapt and predict: a request beyond the running ones and the queue gets 503 with Retry-After.</summary>
public sealed class ConcurrencyLimitTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_request_beyond_the_running_ones_and_the_queue_gets_503_with_retry_after()
    {
        var settings = new Dictionary<string, string> { ["MaxConcurrentRequests"] = "1", ["RequestQueueLimit"] = "0" };
        using var factory = new ServiceFactory(_folder.Combine("states"), settings);
        // The test server's own client: CreateClient's redirect handler would read the whole body before sending it.
        using HttpClient client = factory.Server.CreateClient();
        var inProgress = factory.Services.GetRequiredService<RequestsInProgress>();
        (await client.PostAsJsonAsync("/users/held/adapt", Support())).Dispose();
        using var body = new StalledBody();

        // The first request holds the one permit while the service waits for the rest of its body.
        Task<HttpResponseMessage> first = client.PostAsync("/users/held/predict", body);
        await WaitUntil(() => inProgress.Count == 1);
        using HttpResponseMessage refused = await client.PostAsJsonAsync("/users/held/predict", Query());
        body.Finish();
        using HttpResponseMessage finished = await first;
        await WaitUntil(() => inProgress.Count == 0);
        using HttpResponseMessage after = await client.PostAsJsonAsync("/users/held/predict", Query());

        await AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "The service is processing 1 adapt or predict request, its limit, and 0 more are waiting");
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    // Polls a condition the service reaches on its own; the limit only turns a hang into a failure.
    private static async Task WaitUntil(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }

    /// <summary>A predict body of one example that stops after its first bytes until <see cref="Finish"/>.</summary>
    private sealed class StalledBody : HttpContent
    {
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StalledBody() => Headers.ContentType = new("application/json");

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"examples\": ["));
            await stream.FlushAsync();
            await _finish.Task;
            string example = string.Join(",", Shapes.Ink("bar", 4, Side).Select(v => v == 0 ? "0" : "1"));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"[{example}]]}}"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
