namespace FewShot.Sdk.Tests.Data;

/// <summary>Finds the shared Omniglot folder beside the repository: the tests need the real data and fail without it.</summary>
internal static class OmniglotFiles
{
    public static string Directory
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "FewShot.sln")))
            {
                folder = folder.Parent;
            }

            if (folder is null)
            {
                Assert.Fail($"no FewShot.sln above {AppContext.BaseDirectory}; the Omniglot tests locate ../shared/datasets/omniglot from the repository root");
            }

            string path = Path.GetFullPath(Path.Combine(folder!.FullName, "..", "shared", "datasets", "omniglot"));
            if (!File.Exists(Path.Combine(path, "images_background.npz")) || !File.Exists(Path.Combine(path, "images_evaluation.npz")))
            {
                Assert.Fail($"Omniglot data is missing: expected images_background.npz and images_evaluation.npz in {path} (see DESIGN.md, Data)");
            }

            return path;
        }
    }
}
