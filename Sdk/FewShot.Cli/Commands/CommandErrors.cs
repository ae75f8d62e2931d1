using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Cli.Commands;

/// <summary>Turns the failures a user can cause (bad options, missing files, bad data) into one error line and exit code 1.</summary>
internal static class CommandErrors
{
    /// <summary>
    /// Runs <paramref name="action"/> on the thread pool and returns at once. System.CommandLine registers its SIGINT and
    /// SIGTERM handler only once the action has returned its task, so an action that ran to its end before returning would
    /// never see its cancellation token: Ctrl+C would end the process mid-run (a training run without its last checkpoint).
    /// </summary>
    public static Task<int> Run(TextWriter error, Func<int> action) => Task.Run(() => RunHere(error, action));

    private static int RunHere(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
            or OnnxRuntimeException or TrainingDivergedException or FewShot.Sdk.Torch.TorchUnavailableException or InvalidOperationException
            or FewShot.Runtime.GraphRunException or FewShot.Runtime.ExecutionDeviceException or FewShot.Runtime.Bundles.InvalidBundleException)
        {
            error.WriteLine($"error: {MessageOf(ex)}");
            return 1;
        }
    }

    // ArgumentException.Message ends with " (Parameter 'name')", which names a C# parameter the user never sees.
    private static string MessageOf(Exception exception) =>
        exception is ArgumentException { ParamName: { } name } && exception.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? exception.Message[..^$" (Parameter '{name}')".Length]
            : exception.Message;
}
