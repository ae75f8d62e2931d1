using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Cli.Commands;

/// <summary>Turns the failures a user can cause (bad options, missing files, bad data) into one error line and exit code 1.</summary>
internal static class CommandErrors
{
    public static Task<int> Run(TextWriter error, Func<int> action)
    {
        try
        {
            return Task.FromResult(action());
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return Task.FromResult(130);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
            or OnnxRuntimeException or TrainingDivergedException or FewShot.Sdk.Torch.TorchUnavailableException or InvalidOperationException
            or FewShot.Runtime.GraphRunException or FewShot.Runtime.ExecutionDeviceException or FewShot.Runtime.Bundles.InvalidBundleException)
        {
            error.WriteLine($"error: {MessageOf(ex)}");
            return Task.FromResult(1);
        }
    }

    // ArgumentException.Message ends with " (Parameter 'name')", which names a C# parameter the user never sees.
    private static string MessageOf(Exception exception) =>
        exception is ArgumentException { ParamName: { } name } && exception.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? exception.Message[..^$" (Parameter '{name}')".Length]
            : exception.Message;
}
