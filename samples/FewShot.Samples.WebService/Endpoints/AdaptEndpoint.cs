using FewShot.Runtime.Bundles;
using FewShot.Samples.WebService.Users;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary><c>POST /users/{id}/adapt</c>: adapts the served bundle to a user's examples and stores the result. A singleton; thread-safe.</summary>
public sealed class AdaptEndpoint(FewShotModel model, UserStateStore store, RequestLimits limits)
{
    /// <summary>Adapts for user <paramref name="id"/>, replacing any earlier adaptation.</summary>
    /// <exception cref="ArgumentException">The id, the examples or the labels are not valid (the message says which and why).</exception>
    /// <exception cref="RequestTooLargeException">The request holds more than <see cref="RequestLimits.MaxExamples"/> examples.</exception>
    /// <exception cref="OperationCanceledException">The request was aborted.</exception>
    public async Task<AdaptResponse> HandleAsync(string id, AdaptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        UserId.Validate(id);
        limits.CheckExampleCount(request.Examples?.Length ?? 0);
        float[] inputs = ExampleBatch.Flatten(request.Examples, model.ExampleSize, model.Manifest.Input.Shape);
        if (request.Labels is null)
        {
            throw new ArgumentException("'labels' is missing; give one label per example.", nameof(request));
        }

        AdaptedModel adapted = await model.AdaptAsync(inputs, request.Labels, cancellationToken: cancellationToken);
        store.Save(id, adapted);
        return new AdaptResponse(id, adapted.Labels, request.Examples!.Length);
    }
}
