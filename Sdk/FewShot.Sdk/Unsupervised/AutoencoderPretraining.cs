using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace FewShot.Sdk.Unsupervised;

/// <summary>
/// Trains a <see cref="ConvAutoencoder"/> on a dataset's images without their labels (<see cref="Loss"/>, Adam on
/// random mini-batches drawn from one seed), on TorchSharp, and embeds images with its encoder.
/// </summary>
public static class AutoencoderPretraining
{
    /// <summary>
    /// The pretraining loss: binary cross-entropy of the sigmoid reconstruction against the image (values in [0, 1]),
    /// mean over pixels. Not the squared error: on sparse images (Omniglot's strokes) a sigmoid decoder trained on
    /// squared error settles for a blank image, where the sigmoid's vanishing slope stalls it for hundreds of steps.
    /// </summary>
    public static torch.Tensor Loss(torch.Tensor reconstruction, torch.Tensor images)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(images);
        return binary_cross_entropy(reconstruction.flatten(1), images.flatten(1));
    }

    /// <summary>Trains from a seeded initialization; returns the parameters in <see cref="ConvAutoencoder.Parameters"/> order.</summary>
    /// <param name="autoencoder">The network.</param>
    /// <param name="images">Every example of every class, row-major [n, …shape].</param>
    /// <param name="iterations">Adam steps.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="learningRate">Adam's step size.</param>
    /// <param name="seed">Initialization and batches.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public static float[][] Train(ConvAutoencoder autoencoder, float[] images, int iterations, int batchSize, double learningRate, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        TorchSetup.Initialize();
        var specs = autoencoder.Parameters;
        var example = (int)autoencoder.InputShape.Aggregate(1L, (a, b) => a * b);
        var count = images.Length / example;
        var init = SeedSequence.For(seed, SeedSequence.Purpose.Initialization, 0);
        var values = specs.Select(p => p.Initialize(init)).ToArray();
        var adam = new AdamOptimizer(specs.Select(p => p.ElementCount).ToArray(), learningRate);
        var lowered = new TorchConvAutoencoder(autoencoder);
        var gradients = specs.Select(p => new float[p.ElementCount]).ToArray();
        var batch = new float[batchSize * example];
        for (var step = 0; step < iterations; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var random = SeedSequence.For(seed, SeedSequence.Purpose.Training, step);
            for (var b = 0; b < batchSize; b++)
            {
                images.AsSpan(random.Next(count) * example, example).CopyTo(batch.AsSpan(b * example, example));
            }

            using (var scope = torch.NewDisposeScope())
            {
                var parameters = specs.Select((p, i) => torch.tensor(values[i], p.Shape).requires_grad_()).ToArray();
                var x = torch.tensor(batch, [batchSize, .. autoencoder.InputShape]);
                var loss = Loss(lowered.Reconstruct(parameters, x), x);
                var grads = TorchGradients.Of(loss, parameters);
                for (var i = 0; i < grads.Count; i++)
                {
                    grads[i].data<float>().CopyTo(gradients[i]);
                }
            }

            adam.Step(values, gradients);
        }

        return values;
    }

    /// <summary>The encoder's codes of <paramref name="images"/>, row-major [n, <see cref="ConvAutoencoder.LatentSize"/>].</summary>
    public static float[] Embed(ConvAutoencoder autoencoder, float[][] parameters, float[] images)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(images);
        TorchSetup.Initialize();
        var example = (int)autoencoder.InputShape.Aggregate(1L, (a, b) => a * b);
        var count = images.Length / example;
        var codes = new float[(long)count * autoencoder.LatentSize];
        var lowered = new TorchConvAutoencoder(autoencoder);
        const int chunk = 1024;
        using var noGrad = torch.no_grad();
        for (var start = 0; start < count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var n = Math.Min(chunk, count - start);
            var p = autoencoder.Parameters.Select((s, i) => torch.tensor(parameters[i], s.Shape)).ToArray();
            var x = torch.tensor(images.AsSpan(start * example, n * example).ToArray(), [n, .. autoencoder.InputShape]);
            lowered.Encode(p, x).contiguous().data<float>().CopyTo(codes.AsSpan(start * autoencoder.LatentSize, n * autoencoder.LatentSize));
        }

        return codes;
    }

    /// <summary>Every example of <paramref name="dataset"/>, class after class, row-major [n, …shape].</summary>
    public static float[] AllImages(IFewShotDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var example = dataset.ExampleShape.Aggregate(1, (a, b) => a * b);
        var total = Enumerable.Range(0, dataset.ClassCount).Sum(dataset.GetExampleCount);
        var images = new float[(long)total * example];
        var row = 0;
        for (var c = 0; c < dataset.ClassCount; c++)
        {
            for (var e = 0; e < dataset.GetExampleCount(c); e++)
            {
                dataset.CopyExample(c, e, images.AsSpan(row++ * example, example));
            }
        }

        return images;
    }
}
