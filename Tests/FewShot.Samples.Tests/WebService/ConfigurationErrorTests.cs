using System.Diagnostics;
using FewShot.Samples.WebService.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.Tests.WebService;

/// <summary>
/// Settings under which no adapt request could succeed stop the service at startup with a message naming the setting;
/// a fault of the service's own is a 500, never a client error.
/// </summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string StateFolder => _folder.Combine("states");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_service_without_a_state_signing_key_does_not_start()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["Runtime:StateSigningKey"] = "" });

        var error = Assert.Throws<OptionsValidationException>(factory.CreateClient);

        Assert.Contains("FewShot:Runtime:StateSigningKey is not set", error.Message);
        Assert.Contains("FewShot__Runtime__StateSigningKey", error.Message);
    }

    [Theory]
    [InlineData(true, "FewShot:Runtime:StateSigningKey is not set")]
    [InlineData(false, "FewShot:BundlePath is empty")]
    public async Task The_built_service_started_from_another_folder_without_its_settings_says_what_is_missing_and_exits_with_1(bool bundleGiven, string expected)
    {
        // The content root is the working folder, which has no appsettings.json: no signing key, and no bundle path unless given.
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "FewShot.Samples.WebService"), ["--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = _folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("FewShot__", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["FewShot__StateFolder"] = StateFolder;
        if (bundleGiven)
        {
            start.Environment["FewShot__BundlePath"] = RepositoryBundle();
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the service did not stop: {await output}{await error}");
        }

        string message = await error;
        Assert.Equal(1, process.ExitCode);
        Assert.Contains(expected, message);
        Assert.DoesNotContain("Unhandled exception", message);
        Assert.DoesNotContain("   at ", message);
    }

    /// <summary>The bundle the service serves by default, found from the test's folder upwards as the service finds it from its content root.</summary>
    private static string RepositoryBundle()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "models", "omniglot-protonet-paper.fewshot");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("models/omniglot-protonet-paper.fewshot is not above the test's folder");
    }

    [Fact]
    public void A_prediction_only_service_does_not_start()
    {
        using var factory = new ServiceFactory(StateFolder, new Dictionary<string, string> { ["Runtime:PredictionOnly"] = "true" });

        var error = Assert.Throws<OptionsValidationException>(factory.CreateClient);

        Assert.Contains("FewShot:Runtime:PredictionOnly is true", error.Message);
    }

    [Theory]
    [InlineData("/users/x/adapt")]
    [InlineData("/users/x/predict")]
    public async Task An_InvalidOperationException_is_left_to_the_default_handler_as_a_500(string path)
    {
        using var factory = new ServiceFactory(StateFolder);
        var handler = factory.Services.GetRequiredService<IEnumerable<Microsoft.AspNetCore.Diagnostics.IExceptionHandler>>().OfType<ProblemExceptionHandler>().Single();
        var context = new DefaultHttpContext { RequestServices = factory.Services };
        context.Request.Path = path;

        bool handled = await handler.TryHandleAsync(context, new InvalidOperationException("An owner id binds a signed state, and this model has no RuntimeOptions.StateSigningKey"), CancellationToken.None);

        Assert.False(handled);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }
}
