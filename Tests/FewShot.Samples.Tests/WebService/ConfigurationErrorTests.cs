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
