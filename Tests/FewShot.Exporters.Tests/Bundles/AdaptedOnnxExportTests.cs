using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Exporters.Tests.Bundles;

/// <summary>An adapted model written out as one plain ONNX file: checker-valid, input "x" only, and computing what the runtime predicts.</summary>
public sealed class AdaptedOnnxExportTests
{
    private static readonly RuntimeOptions Options = new() { IntraOpThreads = 1 };

    [Theory]
    [InlineData("maml")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("autoencoder")]
    [InlineData("regression")]
    public void TheExportPassesTheCheckerAndPredictsWhatTheRuntimePredicts(string kind)
    {
        (byte[] bundle, FewShotModel model, AdaptedModel adapted) = Adapt(kind);
        using (model)
        {
            float[] query = Examples(6 * model.ExampleSize, seed: 9);

            ModelProto export = AdaptedOnnxExport.Create(
                BundleFile.ReadEntry(new MemoryStream(bundle), BundleNames.PredictEntry), BundleFile.ReadParameters(new MemoryStream(bundle)), Tensors(adapted), adapted.Labels);

            byte[] bytes = OnnxModelFile.ToBytes(export);
            OnnxChecker.AssertValid(bytes, $"the adapted {kind} export");
            Assert.Equal([BundleNames.X], export.Graph.Input.Select(i => i.Name));
            DoesNotContainFeatures(export);
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1 };
            using var session = new InferenceSession(bytes, sessionOptions);
            Assert.Empty(session.OverridableInitializerMetadata);
            using var x = OrtValue.CreateTensorValueFromMemory(query, [6, .. model.Manifest.Input.Shape]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [BundleNames.X], [x], session.OutputNames);
            float[] Output(string name) => outputs.ElementAt(session.OutputNames.ToList().IndexOf(name)).GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(adapted.PredictValues(query).SelectMany(r => r), Output(BundleNames.Output));
            if (kind == "autoencoder")
            {
                Assert.Equal(adapted.Predict(query).Select(p => p.Score!.Value), Output(BundleNames.Score));
            }
        }
    }

    [Fact]
    public void LabelsAreStoredAsMetadata_AndWriteIsAtomic()
    {
        (byte[] bundle, FewShotModel model, AdaptedModel adapted) = Adapt("maml");
        using (model)
        {
            string folder = Directory.CreateTempSubdirectory("fewshot-export-").FullName;
            try
            {
                string path = Path.Combine(folder, "adapted.onnx");
                AdaptedOnnxExport.Write(
                    path, BundleFile.ReadEntry(new MemoryStream(bundle), BundleNames.PredictEntry), BundleFile.ReadParameters(new MemoryStream(bundle)), Tensors(adapted), adapted.Labels);

                ModelProto written = OnnxModelFile.Load(path);
                Assert.Equal("[\"cat\",\"dog\",\"emu\"]", written.MetadataProps.Single(p => p.Key == AdaptedOnnxExport.LabelsMetadataKey).Value);
                Assert.Equal(["adapted.onnx"], Directory.GetFiles(folder).Select(Path.GetFileName));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void MisfitTensorsAreRefusedByName()
    {
        byte[] proto = TestBundles.Bytes(TestBundles.ProtoNet());
        byte[] predict = BundleFile.ReadEntry(new MemoryStream(proto), BundleNames.PredictEntry);
        IReadOnlyList<TensorProto> theta = BundleFile.ReadParameters(new MemoryStream(proto));

        Assert.Contains("predict.onnx has no state input named 'head.weight' (its state inputs: enc.weight, enc.bias, prototypes)",
            Assert.Throws<ArgumentException>(() => AdaptedOnnxExport.Create(predict, theta, [TensorData.Float("head.weight", [1], [0f])])).Message);
        Assert.Contains("adapted tensor 'prototypes' has shape [3, 4]; predict.onnx declares [N, 5]",
            Assert.Throws<ArgumentException>(() => AdaptedOnnxExport.Create(predict, theta, [TensorData.Float("prototypes", [3, 4], new float[12])])).Message);
        Assert.Contains("predict.onnx input 'prototypes' has no value: pass the adapted model's 'prototypes' tensor",
            Assert.Throws<ArgumentException>(() => AdaptedOnnxExport.Create(predict, theta, [])).Message);
        Assert.Throws<InvalidDataException>(() => AdaptedOnnxExport.Create([0xFF, 0xFF, 0xFF], [], []));
    }

    [Fact]
    public void BundleFile_ReadsAnEntryOnlyWhenItsHashMatchesTheManifest()
    {
        byte[] bundle = TestBundles.Bytes(TestBundles.Maml());
        Dictionary<string, byte[]> entries = BundleWriterTests.Entries(bundle);
        Assert.Equal(entries[BundleNames.AdaptEntry], BundleFile.ReadEntry(new MemoryStream(bundle), BundleNames.AdaptEntry));

        entries[BundleNames.AdaptEntry][100] ^= 1;
        using var tampered = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(tampered, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] bytes) in entries)
            {
                using Stream stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }

        tampered.Position = 0;
        Assert.Contains("the manifest records", Assert.Throws<InvalidDataException>(() => BundleFile.ReadEntry(tampered, BundleNames.AdaptEntry)).Message);
        Assert.Contains("has no entry 'notes.txt'", Assert.Throws<InvalidDataException>(() => BundleFile.ReadEntry(new MemoryStream(bundle), "notes.txt")).Message);
        Assert.Contains("not a readable FewShot bundle", Assert.Throws<InvalidDataException>(() => BundleFile.ReadEntry(new MemoryStream(bundle[..200]), "adapt.onnx")).Message);
    }

    private static (byte[] Bundle, FewShotModel Model, AdaptedModel Adapted) Adapt(string kind)
    {
        BundleContents contents = kind switch
        {
            "maml" => TestBundles.Maml(),
            "anil" => TestBundles.Anil(),
            "protonet" => TestBundles.ProtoNet(),
            "autoencoder" => TestBundles.Autoencoder(),
            _ => TestBundles.Regression(),
        };
        byte[] bundle = TestBundles.Bytes(contents);
        FewShotModel model = FewShotModel.Load(new MemoryStream(bundle), Options);
        float[] support = Examples(6 * model.ExampleSize, seed: 4);
        string[] labels = ["cat", "dog", "emu", "cat", "dog", "emu"];
        AdaptedModel adapted = model.Kind switch
        {
            OutputKind.Reconstruction => model.AdaptUnlabeled(support),
            OutputKind.Regression => model.AdaptRegression(support, Examples(6, seed: 5)),
            _ => model.Adapt(support, labels),
        };
        return (bundle, model, adapted);
    }

    private static TensorProto[] Tensors(AdaptedModel adapted) =>
        [.. adapted.Tensors.Select(t => TensorData.Float(t.Name, [.. t.Shape], t.Values.Span))];

    private static void DoesNotContainFeatures(ModelProto export) =>
        Assert.DoesNotContain(export.Graph.Output, o => o.Name == BundleNames.Features);

    private static float[] Examples(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2))];
    }
}
