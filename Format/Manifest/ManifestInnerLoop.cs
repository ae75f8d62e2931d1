using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>The inner loop of a gradient-step bundle. Immutable.</summary>
public sealed record ManifestInnerLoop
{
    /// <summary>K: the steps adapt_k.onnx unrolls, and the default of AdaptOptions.Steps (FewShot.Runtime).</summary>
    public required int Steps { get; init; }

    /// <summary>The step size baked into the adapt graphs; informative.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Whether meta-training was first-order; informative.</summary>
    public required bool FirstOrder { get; init; }

    /// <summary>The parameters that adaptation changes; an adapted model holds one tensor for each.</summary>
    public required IReadOnlyList<string> AdaptedParameters { get; init; }

    /// <summary>
    /// State that adaptation carries from step to step besides the adapted parameters, and that predict does not read: a
    /// learned optimizer's LSTM state, a memory's usage weights. Each is a parameter whose θ₀ is the initial state; an
    /// adapted model holds one tensor for each. Null (and left out of the JSON, so that older manifests read as before): none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? CarriedState { get; init; }

    /// <summary>
    /// Adapted parameters that no step needs and that depend only on the last step's result and the support set (the
    /// support's normalization statistics at θ′, MetaBN): statistics.onnx computes them once, after the last step, and
    /// adapt.onnx neither takes nor outputs them; adapt_k.onnx outputs them with the rest. Each is also in
    /// <see cref="AdaptedParameters"/>. Null (and left out of the JSON, so that older manifests read as before): none,
    /// and adapt.onnx outputs every adapted parameter.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Statistics { get; init; }

    /// <summary>
    /// True when a step of adapt.onnx on a support set is, to rounding, the count-weighted mean of its steps on the parts
    /// of any split of that set, from the first step on: each example's loss and gradient do not depend on the other
    /// examples (no normalization across examples, no prototypes of the whole set), the loss is their mean, and a step
    /// is θ − rate ⊙ gradient. A runtime may then adapt on several threads, each stepping on its share of the support.
    /// False (and left out of the JSON, so that older manifests read as before): not declared.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SeparableSteps { get; init; }

    /// <summary>The adaptation state, in the order the adapt graphs take and output it: <see cref="AdaptedParameters"/>, then <see cref="CarriedState"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> State => CarriedState is null ? AdaptedParameters : [.. AdaptedParameters, .. CarriedState];

    /// <summary>What adapt.onnx takes and outputs, in that order: <see cref="State"/> less <see cref="Statistics"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> StepState => Statistics is null ? State : [.. State.Where(name => !Statistics.Contains(name))];
}
