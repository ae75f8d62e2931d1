using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>Small seeded models and tasks of every kind, and the conversions the parity tests share.</summary>
internal static class ParityTasks
{
    public const int Ways = 5;

    public static Mlp Mlp() => new(1, 40, 40, 1);

    /// <summary>A narrow conv4; group normalization gets 16 channels, so that it has two groups and is neither layer nor instance norm.</summary>
    public static Conv4 Conv4(int outputs = Ways, FeatureNormalization normalization = FeatureNormalizations.Default, Conv4Downsampling downsampling = Conv4Downsampling.MaxPool) =>
        new([1, 28, 28], outputs, channels: normalization == FeatureNormalization.Group ? 16 : 8, normalization, downsampling);

    public static ConvAutoencoder Autoencoder() => new([1, 16, 16], latentSize: 8, hidden: 4);

    /// <summary>A task that fits <paramref name="kind"/> and the model's input shape, drawn from <paramref name="seed"/>.</summary>
    public static TaskData Task(TaskKind kind, IFewShotModel model, int seed, int shots = 2, int queries = 3)
    {
        var random = new Random(seed);
        if (kind == TaskKind.Regression)
        {
            return new SinusoidTaskSource(10, 10).Sample(random);
        }

        var example = model.InputShape.ToArray();
        var perExample = (int)example.Aggregate(1L, (a, b) => a * b);
        float[] Images(int count) => Enumerable.Range(0, count * perExample).Select(_ => (float)random.NextDouble()).ToArray();
        long[] Labels(int perClass) => Enumerable.Range(0, Ways * perClass).Select(i => (long)(i % Ways)).ToArray();
        var support = Ways * shots;
        var query = Ways * queries;
        return kind == TaskKind.Classification
            ? new TaskData(Images(support), [support, .. example], Images(query), [query, .. example], Labels(shots), Labels(queries))
            : new TaskData(Images(support), [support, .. example], Images(query), [query, .. example]);
    }

    /// <summary>A task of <paramref name="pairs"/> pairs (left in support, right in query), alternately same (equal labels) and different.</summary>
    public static TaskData PairTask(IFewShotModel model, int seed, int pairs = 8)
    {
        var random = new Random(seed);
        var example = model.InputShape.ToArray();
        var perExample = (int)example.Aggregate(1L, (a, b) => a * b);
        float[] Images() => Enumerable.Range(0, pairs * perExample).Select(_ => (float)random.NextDouble()).ToArray();
        var left = Enumerable.Range(0, pairs).Select(i => 2L * i).ToArray();
        var right = Enumerable.Range(0, pairs).Select(i => (2L * i) + (i % 2)).ToArray();
        return new TaskData(Images(), [pairs, .. example], Images(), [pairs, .. example], left, right);
    }

    /// <summary>Leaf tensors that require gradients, one per spec.</summary>
    public static torch.Tensor[] Leaves(IReadOnlyList<ParameterSpec> specs, float[][] values) =>
        specs.Select((s, i) => torch.tensor(values[i], s.Shape).requires_grad_()).ToArray();

    public static float[] Values(torch.Tensor tensor) => tensor.detach().contiguous().data<float>().ToArray();
}
