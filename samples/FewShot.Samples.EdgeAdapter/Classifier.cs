using FewShot.Runtime.Bundles;
using FewShot.Samples.EdgeAdapter.Images;

namespace FewShot.Samples.EdgeAdapter;

/// <summary>Classifies images with a state that <see cref="Learner"/> saved. Stateless and thread-safe.</summary>
public static class Classifier
{
    /// <summary>Loads the adapted state at <paramref name="statePath"/> and classifies <paramref name="images"/> as one batch.</summary>
    /// <param name="model">The bundle the state was learned with; not disposed.</param>
    /// <param name="statePath">The state file.</param>
    /// <param name="images">The .pgm files to classify.</param>
    /// <param name="strokes">Which gray levels are strokes: the same as when learning.</param>
    /// <param name="cancellationToken">Stops the prediction.</param>
    /// <returns>One prediction per image, in order.</returns>
    /// <remarks>
    /// With a bundle that normalizes each example by itself (<c>featureNormalization</c> instance, group, layer or
    /// none) an image gets the same answer alone as in any batch. Bundles with transductive batch norm
    /// (<see cref="FewShot.Bundles.ModelManifest.PredictionsDependOnBatch"/>: <c>fewshot train --norm batch</c>, and conv4
    /// bundles written before that option) normalize with the statistics of the images classified together, so an
    /// image's answer depends on the others.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The state file or an image does not exist.</exception>
    /// <exception cref="InvalidAdaptedStateException">The state file is corrupt, truncated, or was learned with another bundle.</exception>
    /// <exception cref="InvalidDataException">An image is not an 8-bit binary PGM.</exception>
    /// <exception cref="ArgumentException">No image was given.</exception>
    /// <exception cref="NotSupportedException">The bundle's input is not a single-channel image.</exception>
    public static async Task<IReadOnlyList<Prediction>> ClassifyAsync(FewShotModel model, string statePath, IReadOnlyList<string> images, StrokeTone strokes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("No image to classify was given.", nameof(images));
        }

        if (!File.Exists(statePath))
        {
            throw new FileNotFoundException($"There is no adapted state at '{statePath}'; run 'learn' first.", statePath);
        }

        AdaptedModel adapted = model.LoadAdapted(statePath);
        float[] inputs = ImageEncoder.ForModel(model, strokes).EncodeFiles(images);
        return await adapted.PredictAsync(inputs, cancellationToken).ConfigureAwait(false);
    }
}
