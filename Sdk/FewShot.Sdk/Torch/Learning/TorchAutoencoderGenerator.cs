using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="AutoencoderGenerator"/>: the encoder codes the support set, the generator writes the
/// decoder's biases from those codes, and the autoencoder with them reconstructs the queries; the loss and metric are the
/// queries' mean squared reconstruction error, differentiated into the autoencoder's weights and the generator's.
/// </summary>
public sealed class TorchAutoencoderGenerator : TorchLearner
{
    private readonly AutoencoderGenerator _algorithm;
    private readonly TorchConvAutoencoder _autoencoder;
    private readonly TorchParameterGenerator _generator;
    private readonly string[] _names;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchAutoencoderGenerator(AutoencoderGenerator algorithm)
        : base(algorithm)
    {
        _algorithm = algorithm;
        _autoencoder = (TorchConvAutoencoder)TorchModels.Lower(algorithm.Model);
        _generator = new TorchParameterGenerator(algorithm.Generator);
        _names = [.. algorithm.MetaParameters.Select(p => p.Name)];
    }

    /// <summary>The autoencoder's parameters, in its own order, with the decoder biases generated from <paramref name="supportX"/>.</summary>
    /// <param name="meta">The meta-parameters, in <see cref="MetaAlgorithm.MetaParameters"/> order.</param>
    /// <param name="supportX">The support set [n, C, H, W], n ≥ 1.</param>
    public torch.Tensor[] Adapt(IReadOnlyList<torch.Tensor> meta, torch.Tensor supportX)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(supportX);
        var named = _names.Select((n, i) => (n, meta[i])).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);

        // The encoder reads only its own weights; the decoder biases in this view (the generator's base values) go unread.
        var model = _algorithm.Model.Parameters;
        var encoderView = model.Select(s => named.TryGetValue(s.Name, out var t) ? t : named[_algorithm.Generator.BiasOf(s.Name)]).ToArray();
        var generated = _generator.Generate(_autoencoder.Encode(encoderView, supportX), named);
        var byTarget = _algorithm.Generator.Targets.Select((t, i) => (t.Name, Value: generated[i])).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        return [.. model.Select(s => byTarget.TryGetValue(s.Name, out var g) ? g : named[s.Name])];
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var reconstruction = _autoencoder.Forward(Adapt(meta, task.SupportX), task.QueryX);
        var loss = TorchLosses.Loss(TaskKind.Reconstruction, reconstruction, null, task.QueryX);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), TorchLosses.Metric(TaskKind.Reconstruction, reconstruction, null, loss), gradients.ToArray());
    }
}
