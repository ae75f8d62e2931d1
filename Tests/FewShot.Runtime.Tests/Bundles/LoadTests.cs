using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

public sealed class LoadTests
{
    [Fact]
    public void AFolderGivenForABundleOrAStateIsRefusedAsAFolder()
    {
        string folder = Directory.CreateTempSubdirectory("fewshot-load-folder-").FullName;
        try
        {
            var bundle = Assert.Throws<ArgumentException>(() => FewShotModel.Load(folder, BundleTestData.Options));
            Assert.StartsWith($"'{folder}' is a folder; give a bundle file (.fewshot).", bundle.Message, StringComparison.Ordinal);

            using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
            var state = Assert.Throws<ArgumentException>(() => model.LoadAdapted(folder));
            Assert.StartsWith($"'{folder}' is a folder; give an adapted state file.", state.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void AnEmptyBundleIsRefusedAsEmpty()
    {
        var error = Assert.Throws<InvalidBundleException>(() => FewShotModel.Load(new MemoryStream(), BundleTestData.Options));

        Assert.Contains("the bundle is empty (0 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheManifestReadsBackAsWritten_AndTheHashIsTheWritersHash()
    {
        BundleContents contents = TestBundles.Maml();
        ModelManifest written = contents.Manifest with
        {
            BatchNorm = ModelManifest.BatchStatisticsText,
            Input = contents.Manifest.Input with { Normalization = new ManifestNormalization { Text = "scaled", Mean = [0.5f], Std = [0.25f] } },
            Provenance = new ManifestProvenance
            {
                Dataset = "omniglot", Split = "background", Iterations = 60_000, Seed = 42,
                Metrics = new ManifestMetrics { Accuracy = 0.987, Ci95 = 0.004, Ways = 5, Shots = 1, Episodes = 600 },
            },
        };
        string path = Path.Combine(Path.GetTempPath(), $"fewshot-load-{Guid.NewGuid():N}.fewshot");
        string hash = BundleWriter.Write(path, new BundleContents { Manifest = written, Parameters = contents.Parameters, Predict = contents.Predict, Adapt = contents.Adapt, AdaptK = contents.AdaptK });
        try
        {
            using FewShotModel model = FewShotModel.Load(path, BundleTestData.Options);

            ModelManifest read = model.Manifest;
            Assert.Equal(hash, model.Hash);
            Assert.Equal(2, read.FormatVersion);
            Assert.Equal("maml", read.Algorithm);
            Assert.Equal([4L], read.Input.Shape);
            Assert.Equal("float32", read.Input.Dtype);
            Assert.Equal(("scaled", 0.5f, 0.25f), (read.Input.Normalization.Text, read.Input.Normalization.Mean![0], read.Input.Normalization.Std![0]));
            Assert.Equal((OutputKind.Logits, 3), (read.Output.Kind, read.Output.Size));
            Assert.Equal((2, (int?)3), (read.Classes!.Min, read.Classes.Max));
            Assert.Equal((3, 0.5, false), (read.InnerLoop!.Steps, read.InnerLoop.LearningRate, read.InnerLoop.FirstOrder));
            Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], read.InnerLoop.AdaptedParameters);
            Assert.Equal(["fc1.weight [8, 4]", "fc1.bias [8]", "fc2.weight [3, 8]", "fc2.bias [3]"], read.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"));
            Assert.Equal("batch statistics: support during adaptation, query during prediction", read.BatchNorm);
            Assert.Equal(["parameters.bin", "predict.onnx", "adapt.onnx", "adapt_k.onnx"], read.Files.Keys);
            Assert.Equal(("omniglot", "background", 60_000L, 42L), (read.Provenance.Dataset, read.Provenance.Split, read.Provenance.Iterations, read.Provenance.Seed));
            Assert.Equal((0.987, 0.004, 5, 1, 600), (read.Provenance.Metrics!.Accuracy, read.Provenance.Metrics.Ci95, read.Provenance.Metrics.Ways, read.Provenance.Metrics.Shots, read.Provenance.Metrics.Episodes));
            Assert.StartsWith("FewShot ", read.CreatedBy, StringComparison.Ordinal);
            Assert.Equal($"maml test-maml (logits, {hash[..12]})", model.ToString());
            Assert.Equal(4, model.ExampleSize);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadsFromAStreamThatCannotSeek_WithinTheCap()
    {
        byte[] bundle = TestBundles.Bytes(TestBundles.ProtoNet());

        using (FewShotModel model = FewShotModel.Load(new ForwardOnlyStream(bundle), BundleTestData.Options))
        {
            Assert.Equal(OutputKind.Embedding, model.Kind);
        }

        var error = Assert.Throws<InvalidBundleException>(() => FewShotModel.Load(new ForwardOnlyStream(new byte[5 << 20]), new RuntimeOptions { MaxEntryBytes = 1 }));
        Assert.Contains("The bundle is larger than the", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A stream that reads forward only, like a network response.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
