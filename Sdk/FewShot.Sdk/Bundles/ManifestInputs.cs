using FewShot.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;

namespace FewShot.Sdk.Bundles;

/// <summary>
/// What a bundle's manifest says of its inputs (the normalization text and the machine-readable preprocessing that
/// <c>FewShotModel.Preprocess</c> repeats on device), from the run's data; and the check that the data is what its name says.
/// </summary>
internal static class ManifestInputs
{
    /// <summary>
    /// Refuses a run whose <see cref="RunConfiguration.Dataset"/> names one of the Sdk's image loaders (omniglot,
    /// fashion-mnist, folder) when that loader's files are not where the run says: the manifest would describe the inputs
    /// as that loader prepares them (Omniglot's strokes bright, say) for data that came from elsewhere, and an app's
    /// images would be preprocessed so. A run that recorded its data's fingerprint found the loader's files when it started.
    /// Data of the caller's own takes a name of its own, whose manifest records no preprocessing.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset names a loader whose files are not at <see cref="RunConfiguration.DataPath"/>.</exception>
    public static void RequireLoadersData(RunConfiguration run)
    {
        // A recorded fingerprint is the loader's files as the run found them when it started (the data may have gone since).
        if (run.DataFingerprint is not null)
        {
            return;
        }

        var path = run.DataPath is { Length: > 0 } given ? given : null;
        var (loaded, files) = run.Dataset switch
        {
            "omniglot" => (path is not null && Omniglot.Archives.All(name => File.Exists(Path.Combine(path, name))), $"Omniglot's archives ({string.Join(" and ", Omniglot.Archives)})"),
            "fashion-mnist" => (Directory.Exists(path ?? FashionMnist.DefaultDirectory) && FashionMnist.Files(path ?? FashionMnist.DefaultDirectory) is not null, "Fashion-MNIST's four IDX files"),
            "folder" => (path is not null && Directory.Exists(path), "class folders of images"),
            _ => (true, ""),
        };
        if (!loaded)
        {
            var where = run.Dataset == "fashion-mnist" && path is null ? FashionMnist.DefaultDirectory : path is null ? "DataPath (none)" : $"'{path}'";
            throw new ArgumentException(
                $"the run's dataset is '{run.Dataset}', which names the Sdk's loader of {files}, but {where} holds none: the bundle's manifest would say its "
                + $"inputs are {Preprocessed(run)}, and FewShotModel.Preprocess would prepare an app's images so. Give data of your own a name of its own "
                + $"(RunConfiguration.Dataset, e.g. 'my-{run.Dataset}'; its manifest records no preprocessing), or set DataPath to where the {run.Dataset} data the run trained on was loaded from",
                nameof(run));
        }
    }

    /// <summary>The manifest's normalization text: how the run's data became the model's input, in words.</summary>
    public static string Normalization(RunConfiguration run, long[] shape) => run.Dataset switch
    {
        "omniglot" => $"Omniglot: {run.ImageSize}x{run.ImageSize} grayscale by area averaging; strokes 1.0, paper 0.0",
        "fashion-mnist" => "Fashion-MNIST: 28x28 grayscale, byte / 255; the item bright (1.0), the background dark (0.0)",
        "folder" => $"{FolderFormats(run)} images resized to {run.ImageSize}x{run.ImageSize} by area averaging, "
            + $"{(shape is [3, _, _] ? "RGB" : "grayscale")} in [0, 1] (1.0 = white), transparent pixels composited onto black behind mostly bright images, onto white otherwise",
        "sinusoid" => "sinusoid inputs x in [-5, 5], unscaled",

        // Nothing is known of how the user made the arrays; the file's name says which convention an app must repeat.
        "npz" => $"the array 'x' of {Path.GetFileName(run.DataPath)} as given to the trainer, converted to float32 without scaling: no preprocessing recorded",
        _ => $"as the training data ('{run.Dataset}') was given to the trainer: no preprocessing recorded",
    };

    // What the Sdk's own image loaders do, said for machines (the runtime's Preprocessor repeats it on device): Omniglot's
    // strokes are bright, a folder's images keep their gray levels (white paper bright). Sinusoid inputs are not images.
    public static ManifestPreprocessing? Preprocessing(RunConfiguration run, long[] shape) => run.Dataset switch
    {
        "omniglot" => ManifestPreprocessing.Omniglot,

        // Fashion-MNIST's items are bright on black, as Omniglot's strokes are after preprocessing.
        "fashion-mnist" => ManifestPreprocessing.Omniglot,
        "folder" when shape is [1 or 3, _, _] => new ManifestPreprocessing
        {
            Channels = shape[0] == 1 ? ChannelOrder.Gray : ChannelOrder.Rgb,
            Resize = ResizeMethod.Area,
            Min = 0,
            Max = 1,
            Bright = BrightPart.Background,
        },
        _ => null,
    };

    // For the refusal: what the manifest would have claimed.
    private static string Preprocessed(RunConfiguration run) => run.Dataset switch
    {
        "omniglot" => "Omniglot drawings (strokes bright, paper dark, area-averaged)",
        "fashion-mnist" => "Fashion-MNIST images (the item bright on a dark background)",
        _ => "images read from class folders (white paper bright, area-averaged)",
    };

    // The formats the training folder held (it may be gone by export, when the extensions the loader reads are named).
    private static string FolderFormats(RunConfiguration run) =>
        run.DataPath is { } root && ImageFolder.Formats(root) is { Count: > 0 } formats ? string.Join(" and ", formats) : "PNG or JPEG";
}
