using FewShot.Runtime.Bundles;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService;

/// <summary>
/// The one <see cref="FewShotModel"/> of the service, loaded at startup and shared by every request (it is
/// thread-safe). A singleton; the container disposes it, and with it the model, at shutdown.
/// </summary>
public sealed class ModelHost : IDisposable
{
    /// <summary>Resolves the bundle path and loads the bundle.</summary>
    /// <exception cref="FileNotFoundException">The bundle is not found; the message lists where it was looked for.</exception>
    /// <exception cref="InvalidBundleException">The file is not a valid bundle.</exception>
    public ModelHost(IOptions<FewShotServiceOptions> options, IHostEnvironment environment, ILogger<ModelHost> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        BundlePath = ResolveBundle(options.Value.BundlePath, environment.ContentRootPath);
        Model = FewShotModel.Load(BundlePath, new RuntimeOptions { IntraOpThreads = options.Value.IntraOpThreads });
        logger.LogInformation("Serving {Model} from {BundlePath}", Model, BundlePath);
    }

    /// <summary>The loaded bundle, valid until the host is disposed.</summary>
    public FewShotModel Model { get; }

    /// <summary>The bundle's full path.</summary>
    public string BundlePath { get; }

    /// <summary>Releases the model; idempotent.</summary>
    public void Dispose() => Model.Dispose();

    private static string ResolveBundle(string path, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{FewShotServiceOptions.Section}:BundlePath is empty; set it to a .fewshot bundle.", nameof(path));
        }

        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : throw new FileNotFoundException($"The bundle '{path}' ({FewShotServiceOptions.Section}:BundlePath) does not exist.", path);
        }

        var tried = new List<string>();
        for (var folder = new DirectoryInfo(contentRoot); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.GetFullPath(Path.Combine(folder.FullName, path));
            if (File.Exists(candidate))
            {
                return candidate;
            }

            tried.Add(candidate);
        }

        throw new FileNotFoundException($"The bundle '{path}' ({FewShotServiceOptions.Section}:BundlePath) is not under the content root or any folder above it; looked for {string.Join(", ", tried)}.", path);
    }
}
