using FewShot.Runtime.Bundles;
using FewShot.Samples.EdgeAdapter.Images;

namespace FewShot.Samples.EdgeAdapter;

/// <summary>
/// Learns new classes on the device: adapts a bundle to the images of a <see cref="SupportFolder"/> and saves the
/// adapted state, so that <see cref="Classifier"/> can use it after a restart. Stateless and thread-safe.
/// </summary>
public static class Learner
{
    /// <summary>Adapts <paramref name="model"/> to the images under <paramref name="supportRoot"/> and writes the state to <paramref name="statePath"/>.</summary>
    /// <param name="model">The loaded bundle; not disposed.</param>
    /// <param name="supportRoot">One sub-folder per class of .pgm images (see <see cref="SupportFolder"/>).</param>
    /// <param name="statePath">Where the adapted state goes; written atomically (a reader sees the old file or the whole new one).</param>
    /// <param name="strokes">Which gray levels are strokes; classification must use the same.</param>
    /// <param name="cancellationToken">Stops the adaptation.</param>
    /// <returns>The adapted model.</returns>
    /// <exception cref="DirectoryNotFoundException">The support folder, or the state file's folder, does not exist.</exception>
    /// <exception cref="InvalidDataException">The support folder has no classes, a class no image, or an image is not an 8-bit binary PGM.</exception>
    /// <exception cref="ArgumentException">The bundle rejects the support set (for example too many classes for its head).</exception>
    /// <exception cref="NotSupportedException">The bundle's input is not a single-channel image.</exception>
    public static async Task<AdaptedModel> LearnAsync(FewShotModel model, string supportRoot, string statePath, StrokeTone strokes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(statePath);
        SupportFolder support = SupportFolder.Scan(supportRoot);
        float[] inputs = ImageEncoder.ForModel(model, strokes).EncodeFiles(support.Files);
        AdaptedModel adapted = await model.AdaptAsync(inputs, support.Labels, cancellationToken: cancellationToken).ConfigureAwait(false);
        // AdaptedModel.Save(path) writes a temporary file beside the target, flushes it and renames it over the target.
        adapted.Save(statePath);
        return adapted;
    }
}
