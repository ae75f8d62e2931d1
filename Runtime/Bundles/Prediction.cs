using System.Globalization;

namespace FewShot.Runtime.Bundles;

/// <summary>The prediction for one query example. Immutable and thread-safe.</summary>
public sealed class Prediction
{
    internal Prediction(string? label, int classIndex, IReadOnlyList<float> probabilities, float? score)
    {
        Label = label;
        ClassIndex = classIndex;
        Probabilities = probabilities;
        Score = score;
    }

    /// <summary>The most probable class's label, one of <see cref="AdaptedModel.Labels"/>; null for reconstruction bundles.</summary>
    public string? Label { get; }

    /// <summary>The index of <see cref="Label"/> in <see cref="AdaptedModel.Labels"/>; -1 for reconstruction bundles.</summary>
    public int ClassIndex { get; }

    /// <summary>
    /// The probability of every class, in <see cref="AdaptedModel.Labels"/> order: the softmax of the logits of the
    /// adapted classes (a head wider than the adapted class count contributes only its first N outputs). Empty for
    /// reconstruction bundles.
    /// </summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>Reconstruction bundles: the example's reconstruction mean squared error, higher = more anomalous; else null.</summary>
    public float? Score { get; }

    /// <summary>For example "cat (0.93)" or "score 0.0412".</summary>
    public override string ToString() => Score is { } score
        ? string.Create(CultureInfo.InvariantCulture, $"score {score:G4}")
        : string.Create(CultureInfo.InvariantCulture, $"{Label} ({Probabilities[ClassIndex]:F2})");
}
