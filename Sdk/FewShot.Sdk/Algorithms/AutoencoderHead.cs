using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// The first autoencoder framework: pretrain a <see cref="ConvAutoencoder"/> on unlabelled images (the training tasks'
/// images, labels ignored) for <see cref="PretrainIterations"/> iterations, then freeze its encoder and meta-learn a
/// linear head on the latent code by MAML (second order, the head alone adapting, as ANIL), optionally fine-tuning
/// the encoder's last layer (the code layer) in the outer loop. Deploys as a <see cref="LatentClassifier"/>:
/// the frozen encoder and the head, adapted on the device by gradient steps on the support's codes.
/// </summary>
/// <remarks>Trains on the TorchSharp engine only: its two stages have no single ONNX meta-step graph.</remarks>
public sealed class AutoencoderHead : GradientLearner
{
    private readonly bool[] _pretraining;
    private readonly bool[] _metaLearning;

    /// <summary>Creates the framework.</summary>
    /// <param name="autoencoder">The autoencoder to pretrain.</param>
    /// <param name="ways">The head's classes.</param>
    /// <param name="pretrainIterations">Iterations of reconstruction pretraining before the head is meta-learned.</param>
    /// <param name="tuneCodeLayer">Meta-learn the encoder's last layer along with the head's initialization.</param>
    /// <param name="inner">The head's inner loop.</param>
    public AutoencoderHead(ConvAutoencoder autoencoder, int ways, int pretrainIterations, bool tuneCodeLayer = false, InnerLoopOptions? inner = null)
        : base(new LatentClassifier(autoencoder, ways), TaskKind.Classification, inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pretrainIterations);
        Autoencoder = autoencoder;
        PretrainIterations = pretrainIterations;
        TuneCodeLayer = tuneCodeLayer;
        MetaParameters = [.. Model.Parameters, .. autoencoder.Parameters.Skip(LatentClassifier.EncoderParameterCount)];
        var head = Model.Parameters.Count - 2;
        var code = LatentClassifier.EncoderParameterCount - 2;
        _pretraining = MetaParameters.Select((_, i) => i < head || i >= head + 2).ToArray();
        _metaLearning = MetaParameters.Select((_, i) => (i >= head && i < head + 2) || (tuneCodeLayer && i >= code && i < code + 2)).ToArray();
    }

    /// <inheritdoc />
    public override string Name => "ae-head";

    /// <summary>The autoencoder pretrained in the first stage.</summary>
    public ConvAutoencoder Autoencoder { get; }

    /// <summary>Iterations of reconstruction pretraining before the head is meta-learned.</summary>
    public int PretrainIterations { get; }

    /// <summary>True when the encoder's last layer is meta-learned along with the head.</summary>
    public bool TuneCodeLayer { get; }

    /// <summary>The classifier's tensors (encoder, head), then the decoder's, which only pretraining uses.</summary>
    public override IReadOnlyList<ParameterSpec> MetaParameters { get; }

    /// <summary>What deploys: the encoder and the head.</summary>
    public override IReadOnlyList<ParameterSpec> StateParameters => Model.Parameters;

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => ((IHeadedModel)Model).HeadParameterNames;

    /// <inheritdoc />
    protected override bool FeaturesOnce => true;

    /// <summary>Pretraining changes the autoencoder (not the head); then only the head (and the code layer when tuned).</summary>
    public override IReadOnlyList<bool> TrainedAt(int iteration) => iteration < PretrainIterations ? _pretraining : _metaLearning;

    /// <inheritdoc />
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        return (StateParameters, metaParameters.Take(Model.Parameters.Count).ToArray());
    }

    /// <summary>Not available: the two stages train on the TorchSharp engine (<c>--engine torch</c>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override TaskGraph BuildMetaStep() =>
        throw new NotSupportedException($"{Name} trains on the TorchSharp engine only (--engine torch): its pretraining and meta-learning stages have no single ONNX meta-step graph");
}
