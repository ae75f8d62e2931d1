using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Adaptation without gradient steps: a <see cref="ParameterGenerator"/> (an LSTM) reads the latent codes of a support set
/// of normal examples and writes the autoencoder's decoder biases (the expansion layer's, which sets the decoder's starting
/// image, and the two transposed convolutions'), and the autoencoder with those biases reconstructs new examples of the same
/// kind; the reconstruction error is the anomaly score. Meta-training learns the autoencoder's other weights and the
/// generator together, on the query reconstruction error of tasks of a few classes each, and runs on TorchSharp only
/// (<c>TorchAutoencoderGenerator</c>). The decoder biases are not meta-parameters of their own: the generator's output
/// biases are what it writes for a set that tells it nothing, so the bundle's unadapted autoencoder has those. Adaptation is
/// one forward pass, and running it again gives the same state (it reads the support set, never the state it wrote).
/// </summary>
public sealed class AutoencoderGenerator : MetaAlgorithm
{
    /// <summary>The decoder tensors the generator writes.</summary>
    public static IReadOnlyList<string> GeneratedNames { get; } = ["expand.bias", "dec1.bias", "dec2.bias"];

    private readonly ConvAutoencoder _autoencoder;

    /// <summary>Binds a generator of <paramref name="hiddenSize"/> units to the autoencoder.</summary>
    public AutoencoderGenerator(ConvAutoencoder autoencoder, int hiddenSize = 64)
        : base(autoencoder, TaskKind.Reconstruction)
    {
        _autoencoder = autoencoder;
        Generator = new ParameterGenerator(autoencoder.LatentSize, [.. GeneratedNames.Select(n => autoencoder.Parameters.Single(p => p.Name == n))], hiddenSize);
    }

    /// <inheritdoc />
    public override string Name => "ae-generator";

    /// <summary>The LSTM that writes the decoder's biases.</summary>
    public ParameterGenerator Generator { get; }

    /// <summary>The autoencoder's weights other than the generated ones, then the generator's.</summary>
    public override IReadOnlyList<ParameterSpec> MetaParameters => [.. Model.Parameters.Where(p => !GeneratedNames.Contains(p.Name)), .. Generator.Parameters];

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => GeneratedNames;

    /// <summary>The whole autoencoder (what predict reads), then the generator's weights.</summary>
    public override IReadOnlyList<ParameterSpec> StateParameters => [.. Model.Parameters, .. Generator.Parameters];

    /// <summary>The autoencoder with the generator's output biases as its decoder biases, then the meta-parameters' generator weights.</summary>
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        var meta = MetaParameters;
        if (metaParameters.Length != meta.Count)
        {
            throw new ArgumentException($"{Name} has {meta.Count} meta-parameters, got {metaParameters.Length} tensors", nameof(metaParameters));
        }

        var byName = meta.Select((s, i) => (s.Name, Value: metaParameters[i])).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var values = StateParameters.Select(s => byName.TryGetValue(s.Name, out var v) ? v : byName[Generator.BiasOf(s.Name)]).ToArray();
        return (StateParameters, values);
    }

    /// <summary>
    /// A copy of <paramref name="metaParameters"/> whose generator output weights are zero: the generator then writes its
    /// base biases for every set, so the autoencoder is the same whatever the support set. The baseline that shows what
    /// generation adds.
    /// </summary>
    public float[][] WithoutGeneration(float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        var weights = Generator.Targets.Select(t => Generator.WeightOf(t.Name)).ToHashSet(StringComparer.Ordinal);
        return [.. MetaParameters.Select((s, i) => weights.Contains(s.Name) ? new float[metaParameters[i].Length] : (float[])metaParameters[i].Clone())];
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: this learner meta-trains on TorchSharp.</exception>
    public override TaskGraph BuildMetaStep() =>
        throw new NotSupportedException($"{Name} meta-trains on TorchSharp only; its ONNX graphs adapt and predict");

    /// <inheritdoc />
    /// <remarks>Adaptation is one pass of the generator whatever <paramref name="steps"/> is (at least 1).</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var w = new TaskGraphWriter($"{Name}_adapt", Model, Task);
        var p = w.Parameters(StateParameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var generated = Generator.Generate(w.Graph, _autoencoder.Encode(w.Graph, supportX, p), p);
        foreach (var target in Generator.Targets)
        {
            w.Output(generated[target.Name], GraphNames.Adapted(target.Name), target.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter($"{Name}_predict", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var output = Model.Forward(w.Graph, x, parameters);
        w.Output(output, GraphNames.Output, [GraphNames.QueryCount, Model.OutputSize]);
        ReconstructionScore.Output(w, output, x);
        return w.Finish(TaskGraphRole.Predict);
    }
}
