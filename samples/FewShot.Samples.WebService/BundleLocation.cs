namespace FewShot.Samples.WebService;

/// <summary>Finds the bundle to serve: a relative path is looked up under the content root and then each folder above it.</summary>
public static class BundleLocation
{
    /// <summary>The bundle's full path.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="FileNotFoundException">The bundle is not found; the message lists where it was looked for.</exception>
    public static string Resolve(string path, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{FewShotServiceOptions.Section}:BundlePath is empty; set it to a .fewshot bundle.", "FewShot:BundlePath");
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
