using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;

namespace FewShot.Exporters.Tests.Bundles;

public sealed class BundleWriterTests
{
    [Fact]
    public void Manifest_HasTheDocumentedFieldsInOrder_AndEveryGraphsHash()
    {
        BundleContents contents = TestBundles.Maml();
        Dictionary<string, byte[]> entries = Entries(TestBundles.Bytes(contents));

        using JsonDocument manifest = JsonDocument.Parse(entries[BundleNames.ManifestEntry]);
        JsonElement root = manifest.RootElement;
        Assert.Equal(
            ["formatVersion", "algorithm", "model", "input", "output", "classes", "innerLoop", "parameters", "batchNorm", "featureNormalization", "files", "provenance", "createdBy"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(["shape", "dtype", "normalization", "preprocessing"], root.GetProperty("input").EnumerateObject().Select(p => p.Name));
        Assert.Equal("logits", root.GetProperty("output").GetProperty("kind").GetString());
        Assert.Equal("float32", root.GetProperty("input").GetProperty("dtype").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("batchNorm").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("provenance").GetProperty("metrics").ValueKind);
        Assert.Equal(3, root.GetProperty("innerLoop").GetProperty("steps").GetInt32());
        Assert.Equal(
            contents.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Dims)}]"),
            root.GetProperty("parameters").EnumerateArray().Select(p => $"{p.GetProperty("name").GetString()} [{string.Join(", ", p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()))}]"));
        Assert.Equal([BundleNames.ManifestEntry, BundleNames.ParametersEntry, BundleNames.PredictEntry, BundleNames.AdaptEntry, BundleNames.AdaptKEntry], entries.Keys);
        foreach (JsonProperty file in root.GetProperty("files").EnumerateObject())
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(entries[file.Name])), file.Value.GetString());
        }
    }

    [Fact]
    public void PrototypeBundles_HaveNoUnrolledGraph_AndAnyNumberOfClasses()
    {
        Dictionary<string, byte[]> entries = Entries(TestBundles.Bytes(TestBundles.ProtoNet()));

        using JsonDocument manifest = JsonDocument.Parse(entries[BundleNames.ManifestEntry]);
        Assert.Equal([BundleNames.ManifestEntry, BundleNames.ParametersEntry, BundleNames.PredictEntry, BundleNames.AdaptEntry], entries.Keys);
        Assert.Equal("embedding", manifest.RootElement.GetProperty("output").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, manifest.RootElement.GetProperty("classes").GetProperty("max").ValueKind);
        Assert.Equal(JsonValueKind.Null, manifest.RootElement.GetProperty("innerLoop").ValueKind);
    }

    [Fact]
    public void ThetaZero_IsStoredOnce_AndEveryGraphTakesTheParametersAsPlainInputs_AndTheCallersGraphsAreUntouched()
    {
        BundleContents contents = TestBundles.Maml();
        ModelProto withTheta = contents.Adapt.Clone();
        withTheta.Graph.Initializer.Add(contents.Parameters[0].Clone());
        Dictionary<string, byte[]> entries = Entries(TestBundles.Bytes(new BundleContents
        {
            Manifest = contents.Manifest, Parameters = contents.Parameters, Predict = contents.Predict, Adapt = withTheta, AdaptK = contents.AdaptK,
        }));

        NamedTensor[] stored = TensorSet.DecodeFile(entries[BundleNames.ParametersEntry], "parameters.bin");
        Assert.Equal(contents.Parameters.Select(p => p.Name), stored.Select(t => t.Name));
        for (int i = 0; i < stored.Length; i++)
        {
            Assert.Equal(contents.Parameters[i].Dims, stored[i].Shape);
            Assert.Equal(TensorData.ToFloats(contents.Parameters[i]), stored[i].Values);
        }

        foreach (string entry in new[] { BundleNames.PredictEntry, BundleNames.AdaptEntry, BundleNames.AdaptKEntry })
        {
            GraphProto graph = OnnxModelFile.Parse(entries[entry]).Graph;
            Assert.DoesNotContain(graph.Initializer, i => contents.Parameters.Any(p => p.Name == i.Name));
            Assert.Contains(graph.Input, i => i.Name == contents.Parameters[^1].Name);
        }

        Assert.Contains(withTheta.Graph.Initializer, i => i.Name == contents.Parameters[0].Name);
        Assert.Empty(contents.Predict.Graph.Initializer);
    }

    [Fact]
    public void Output_IsDeterministic_AndWriteReturnsTheModelHash()
    {
        string folder = Directory.CreateTempSubdirectory("fewshot-writer-").FullName;
        try
        {
            string path = Path.Combine(folder, "model" + BundleWriter.FileExtension);
            File.WriteAllText(path, "an older file");
            string hash = BundleWriter.Write(path, TestBundles.Maml());

            byte[] written = File.ReadAllBytes(path);
            Assert.Equal(written, TestBundles.Bytes(TestBundles.Maml()));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Entries(written)[BundleNames.ManifestEntry])), hash);
            Assert.Equal(["model.fewshot"], Directory.GetFiles(folder).Select(Path.GetFileName));
            using var stream = new MemoryStream();
            Assert.Equal(hash, BundleWriter.Write(stream, TestBundles.Maml()));
            Assert.Throws<DirectoryNotFoundException>(() => BundleWriter.Write(Path.Combine(folder, "missing", "m.fewshot"), TestBundles.Maml()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("meta-sgd")]
    [InlineData("step-rates")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("autoencoder")]
    [InlineData("regression")]
    [InlineData("support-statistics")]
    public void EveryGraphOfEveryKind_PassesTheOnnxChecker(string kind)
    {
        BundleContents contents = kind switch
        {
            "support-statistics" => TestBundles.SupportStatistics(),
            "maml" => TestBundles.Maml(),
            "meta-sgd" => TestBundles.Maml(metaSgd: true),
            "step-rates" => TestBundles.Maml(stepRates: [0.5f, 0.2f, 0.8f]),
            "anil" => TestBundles.Anil(),
            "protonet" => TestBundles.ProtoNet(),
            "autoencoder" => TestBundles.Autoencoder(),
            _ => TestBundles.Regression(),
        };

        foreach ((string name, byte[] bytes) in Entries(TestBundles.Bytes(contents)).Where(e => e.Key.EndsWith(".onnx", StringComparison.Ordinal)))
        {
            OnnxChecker.AssertValid(bytes, $"{kind} {name}");
        }
    }

    internal static Dictionary<string, byte[]> Entries(byte[] bundle)
    {
        using var zip = new ZipArchive(new MemoryStream(bundle), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var data = new MemoryStream();
            using Stream stream = e.Open();
            stream.CopyTo(data);
            return data.ToArray();
        });
    }
}
