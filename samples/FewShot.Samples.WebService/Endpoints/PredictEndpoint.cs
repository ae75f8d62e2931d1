using FewShot.Runtime.Bundles;
using FewShot.Samples.WebService.Users;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary><c>POST /users/{id}/predict</c>: classifies queries with a user's adapted model. A singleton; thread-safe.</summary>
public sealed class PredictEndpoint(FewShotModel model, UserStateStore store, RequestLimits limits)
{
    /// <summary>Classifies the request's examples as one batch.</summary>
    /// <exception cref="ArgumentException">The id or the examples are not valid.</exception>
    /// <exception cref="UserStateNotFoundException">Nothing was adapted for the user.</exception>
    /// <exception cref="InvalidAdaptedStateException">The user's stored state cannot be read.</exception>
    /// <exception cref="RequestTooLargeException">The request holds more than <see cref="RequestLimits.MaxExamples"/> examples.</exception>
    /// <exception cref="OperationCanceledException">The request was aborted.</exception>
    public async Task<PredictResponse> HandleAsync(string id, PredictRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        limits.CheckExampleCount(request.Examples?.Length ?? 0);
        AdaptedModel adapted = store.Get(id);
        float[] inputs = ExampleBatch.Flatten(request.Examples, model.ExampleSize, model.Manifest.Input.Shape);
        IReadOnlyList<Prediction> predictions = await adapted.PredictAsync(inputs, cancellationToken);
        return new PredictResponse([.. predictions.Select(p => ToResult(p, adapted.Labels))]);
    }

    private static PredictionResult ToResult(Prediction prediction, IReadOnlyList<string> labels)
    {
        var probabilities = new Dictionary<string, float>(labels.Count, StringComparer.Ordinal);
        for (int c = 0; c < labels.Count; c++)
        {
            probabilities[labels[c]] = prediction.Probabilities[c];
        }

        return new PredictionResult(prediction.Label!, prediction.Probabilities[prediction.ClassIndex], probabilities);
    }
}
