namespace FewShot.Samples.WebService.Endpoints;

/// <summary>The body of <c>POST /users/{id}/adapt</c>: a labelled support set.</summary>
/// <param name="Examples">One array per example, each the bundle's input flattened row-major (784 floats for [1, 28, 28]), normalized as its manifest says.</param>
/// <param name="Labels">One label per example; the classes, in order of first appearance.</param>
public sealed record AdaptRequest(float[][]? Examples, string[]? Labels);

/// <summary>The answer to an adaptation.</summary>
/// <param name="User">The user adapted for.</param>
/// <param name="Classes">The classes learned, in class-index order.</param>
/// <param name="Examples">How many support examples were used.</param>
public sealed record AdaptResponse(string User, IReadOnlyList<string> Classes, int Examples);

/// <summary>The body of <c>POST /users/{id}/predict</c>: queries, classified together as one batch.</summary>
/// <param name="Examples">One array per example, as in <see cref="AdaptRequest.Examples"/>.</param>
public sealed record PredictRequest(float[][]? Examples);

/// <summary>The prediction for one query.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">Every class's probability, by label, in class-index order.</param>
public sealed record PredictionResult(string Label, float Probability, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>The answer to a prediction: one result per query, in order.</summary>
/// <param name="Predictions">The results.</param>
public sealed record PredictResponse(IReadOnlyList<PredictionResult> Predictions);

/// <summary>The answer of <c>GET /health</c>.</summary>
/// <param name="Status">"ok".</param>
/// <param name="ModelHash">The served bundle's hash (SHA-256 of its manifest), which every saved state is tied to.</param>
/// <param name="Model">The bundle in words, e.g. "protonet conv4-encoder (embedding, 1a2b3c4d5e6f)".</param>
/// <param name="ExampleSize">Floats per example.</param>
/// <param name="PredictionsDependOnBatch">
/// True for bundles with transductive batch norm, whose answer for an example depends on the others predicted with it
/// (send the examples to classify together); false when every example is classified by itself.
/// </param>
public sealed record HealthResponse(string Status, string ModelHash, string Model, int ExampleSize, bool PredictionsDependOnBatch);
