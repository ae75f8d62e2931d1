namespace FewShot.Tests.Shared;

/// <summary>Locates the repository, the shared data beside it, and the test tools, from the test binaries' folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository's root: the folder holding FewShot.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The folder <c>../shared</c> beside the repository.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>The Omniglot folder in the shared data; fails the test with a clear message if it is missing.</summary>
    public static string Omniglot
    {
        get
        {
            var path = Path.Combine(Shared, "datasets", "omniglot");
            if (!File.Exists(Path.Combine(path, "images_background.npz")) || !File.Exists(Path.Combine(path, "images_evaluation.npz")))
            {
                throw new InvalidOperationException($"Omniglot is expected at {path} (../shared/datasets/omniglot beside the repository): images_background.npz and images_evaluation.npz are not both there");
            }

            return path;
        }
    }

    /// <summary>
    /// Fashion-MNIST where Debian's dataset-fashion-mnist package installs it (build/install-test-deps.sh installs the
    /// package); fails the test with a clear message if it is missing.
    /// </summary>
    public static string FashionMnist
    {
        get
        {
            const string path = "/usr/share/datasets/fashion-mnist";
            if (!File.Exists(Path.Combine(path, "train-images-idx3-ubyte.gz")))
            {
                throw new InvalidOperationException($"Fashion-MNIST is expected at {path}: run build/install-test-deps.sh, which installs Debian's dataset-fashion-mnist package");
            }

            return path;
        }
    }

    /// <summary>A file under Tests/tools.</summary>
    public static string Tool(string name) => Path.Combine(Root, "Tests", "tools", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FewShot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds FewShot.sln");
    }
}
