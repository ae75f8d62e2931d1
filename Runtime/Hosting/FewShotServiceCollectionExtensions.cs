using FewShot.Runtime.Bundles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FewShot.Runtime.Hosting;

/// <summary>Registers a shared <see cref="FewShotModel"/> with a dependency-injection container.</summary>
public static class FewShotServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="FewShotModel"/> singleton, loaded on first resolution from <see cref="FewShotModelOptions"/> and
    /// logging through the container's <see cref="ILoggerFactory"/> when there is one. The container disposes the model.
    /// A model is thread-safe, so every request or user may share it.
    /// </summary>
    /// <param name="services">The container's services.</param>
    /// <param name="configure">Sets the options in code; null when they come from configuration only.</param>
    /// <returns>The options builder, to bind configuration: <c>services.AddFewShotModel().BindConfiguration("FewShot")</c>.</returns>
    public static OptionsBuilder<FewShotModelOptions> AddFewShotModel(this IServiceCollection services, Action<FewShotModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<FewShotModelOptions> options = services.AddOptions<FewShotModelOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !string.IsNullOrWhiteSpace(o.BundlePath), "FewShotModelOptions.BundlePath is empty; set it to a .fewshot bundle.");
        services.AddSingleton(provider => Load(
            provider.GetRequiredService<IOptions<FewShotModelOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger<FewShotModel>() ?? (ILogger)NullLogger.Instance));
        return options;
    }

    private static FewShotModel Load(FewShotModelOptions options, ILogger logger)
    {
        RuntimeOptions runtime = options.Runtime.Copy();
        runtime.Device = ExecutionDevice.Parse(options.Device);
        string path = Path.GetFullPath(options.BundlePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The bundle '{options.BundlePath}' (FewShotModelOptions.BundlePath) does not exist; looked at {path}.", path);
        }

        FewShotModel model = FewShotModel.Load(path, runtime, logger);
        logger.LogInformation("Loaded {Model} from {BundlePath} on {Device}", model, path, runtime.Device);
        return model;
    }
}
