using System.IO.Compression;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Training;

/// <summary>A run can start from another run's checkpoint: the parameters that fit are copied, the rest start fresh.</summary>
public sealed class WarmStartTests
{
    private static float[][] Seeded(MetaAlgorithm algorithm, int seed) =>
        algorithm.Initialize(seed);

    private static string SaveCheckpoint(TempDirectory folder, IReadOnlyList<ParameterSpec> specs, float[][] values)
    {
        var path = folder.File(Checkpoint.FileName);
        var zeros = values.Select(v => new float[v.Length]).ToArray();
        new Checkpoint(7, values, zeros, zeros, 7).Save(path, specs);
        return path;
    }

    [Fact]
    public void AProtoNetEncoderGoesIntoMamlsConv4AndTheHeadAndRatesStartFresh()
    {
        using var folder = new TempDirectory();
        var protoNet = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 8));
        var encoder = Seeded(protoNet, seed: 3);
        SaveCheckpoint(folder, protoNet.MetaParameters, encoder);
        var maml = new Maml(new Conv4([1, 28, 28], 5, channels: 8), TaskKind.Classification,
            new InnerLoopOptions { Steps = 1, LearningRate = 0.4f, PerStepLearningRates = true });
        var fresh = Seeded(maml, seed: 0);

        var start = WarmStart.Apply(WarmStart.CheckpointPath(folder.Path), maml.MetaParameters, fresh);

        var specs = maml.MetaParameters;
        Assert.Equal(protoNet.MetaParameters.Select(p => p.Name), start.Copied);
        Assert.Equal(specs.Count - start.Copied.Count, start.Fresh.Count);
        Assert.Contains("head.weight", start.Fresh);
        for (var i = 0; i < specs.Count; i++)
        {
            var source = protoNet.MetaParameters.ToList().FindIndex(p => p.Name == specs[i].Name);
            Assert.Equal(source >= 0 ? encoder[source] : fresh[i], start.Values[i]);
        }

        Assert.NotEqual(encoder[0], fresh[0]);
    }

    [Fact]
    public void ABundlesThetaGoesIntoMamlsConv4AndItsNormalizationIsReported()
    {
        using var folder = new TempDirectory();
        var protoNet = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 8, normalization: FeatureNormalization.Group));
        var encoder = Seeded(protoNet, seed: 5);
        var bundle = folder.File("protonet.fewshot");
        BundleExport.Write(bundle, protoNet, encoder, new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = "protonet", Dataset = "omniglot", Normalization = "group" }, iterations: 1, steps: 1, measured: null);
        var maml = new Maml(new Conv4([1, 28, 28], 5, channels: 8, normalization: FeatureNormalization.Group), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.4f });
        var fresh = Seeded(maml, seed: 0);

        var start = WarmStart.Apply(WarmStart.CheckpointPath(bundle), maml.MetaParameters, fresh);

        Assert.Equal(protoNet.MetaParameters.Select(p => p.Name), start.Copied);
        Assert.Equal(["head.weight", "head.bias"], start.Fresh);
        for (var i = 0; i < protoNet.MetaParameters.Count; i++)
        {
            Assert.Equal(encoder[i], start.Values[maml.MetaParameters.ToList().FindIndex(m => m.Name == protoNet.MetaParameters[i].Name)]);
        }

        Assert.Equal("group", WarmStart.BundleManifest(bundle)!.FeatureNormalization);
        Assert.Equal("conv4-encoder", WarmStart.BundleManifest(bundle)!.Model);
        Assert.Null(WarmStart.BundleManifest(SaveCheckpoint(folder, protoNet.MetaParameters, encoder)));
    }

    [Fact]
    public void ABundleWithADamagedThetaAndAFileThatIsNoArchiveAreRefusedByName()
    {
        using var folder = new TempDirectory();
        var damaged = folder.File("damaged.fewshot");
        using (var archive = ZipFile.Open(damaged, ZipArchiveMode.Create))
        {
            using var stream = archive.CreateEntry("parameters.bin").Open();
            stream.Write("FSTENSOR"u8);
            stream.Write([1, 2, 3]);
        }

        var notZip = folder.File("notes.txt");
        File.WriteAllText(notZip, "not a checkpoint");
        var model = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 8));

        var error = Assert.Throws<InvalidDataException>(() => WarmStart.Apply(damaged, model.MetaParameters, Seeded(model, 0)));
        var other = Assert.Throws<InvalidDataException>(() => WarmStart.Apply(notZip, model.MetaParameters, Seeded(model, 0)));
        var manifest = Assert.Throws<InvalidDataException>(() => WarmStart.BundleManifest(notZip)); // fewshot train --init-from reads it first

        Assert.Contains("damaged bundle", error.Message);
        Assert.Contains(damaged, error.Message);
        Assert.Contains("neither a checkpoint nor a bundle", other.Message);
        Assert.Contains(notZip, other.Message);
        Assert.Equal(other.Message, manifest.Message);
    }

    [Fact]
    public void ParametersOfAnotherShapeStartFreshAndACheckpointWithNothingThatFitsIsRefused()
    {
        using var folder = new TempDirectory();
        var small = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 8));
        var path = SaveCheckpoint(folder, small.MetaParameters, Seeded(small, seed: 3));
        var wide = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 16));

        var error = Assert.Throws<InvalidDataException>(() => WarmStart.Apply(path, wide.MetaParameters, Seeded(wide, 0)));

        Assert.Contains("holds no parameter of this model", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void AMissingSourceIsNamed()
    {
        using var folder = new TempDirectory();

        var error = Assert.Throws<FileNotFoundException>(() => WarmStart.CheckpointPath(folder.Path));

        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void TheTrainerStartsANewRunFromTheGivenValuesAndAResumedRunFromItsCheckpoint()
    {
        using var straight = new TempDirectory();
        using var resumed = new TempDirectory();
        var algorithm = new Maml(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { Steps = 1, LearningRate = 0.01f });
        var initial = Seeded(algorithm, seed: 9);
        TorchMetaTrainer Trainer(int iterations, double metaLr, float[][]? start) =>
            new(algorithm, new SinusoidTaskSource(5, 5), new MetaTrainerOptions { Iterations = iterations, MetaBatch = 2, MetaLearningRate = metaLr, MinimumMetaLearningRate = 0, CheckpointEvery = 1 })
            {
                Threads = 1, InitialParameters = start,
            };

        var barelyMoved = Trainer(1, 1e-12, initial).Train();

        for (var i = 0; i < initial.Length; i++)
        {
            Assert.All(initial[i].Zip(barelyMoved.Parameters[i]), pair => Assert.Equal(pair.First, pair.Second, 1e-9f));
        }

        Assert.NotEqual(Seeded(algorithm, seed: 0)[0], initial[0]);

        var expected = Trainer(4, 1e-3, initial).Train(straight.Path);
        Trainer(2, 1e-3, initial).Train(resumed.Path);
        var garbage = initial.Select(v => Enumerable.Repeat(1e3f, v.Length).ToArray()).ToArray();
        var actual = Trainer(4, 1e-3, garbage).Train(resumed.Path);

        for (var i = 0; i < initial.Length; i++)
        {
            Assert.Equal(expected.Parameters[i], actual.Parameters[i]);
        }
    }
}
