using System.IO.Compression;
using System.Text.Json.Nodes;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Every way a bundle can be broken fails at load with an <see cref="InvalidBundleException"/> that names the problem.</summary>
public sealed class BadBundleTests
{
    private static readonly byte[] Maml = TestBundles.Bytes(TestBundles.Maml());

    [Fact]
    public void TheWrittenBundleLoads() => BundleTestData.Load(Maml).Dispose();

    [Fact]
    public void UnknownFormatVersion() =>
        Rejects(BundleZip.EditManifest(Maml, m => m["formatVersion"] = 3), "manifest.json", "format version 3 is not supported", "update FewShot.Runtime");

    [Fact]
    public void FormatOne_IsRefusedWithTheUpgradeCommand() =>
        Rejects(BundleZip.EditManifest(Maml, m => m["formatVersion"] = 1), "manifest.json",
            "bundle format version 1 is not supported: this runtime reads format version 2", "upgrade the bundle with `fewshot export --upgrade old.fewshot --out new.fewshot`");

    [Fact]
    public void MissingFormatVersion() =>
        Rejects(BundleZip.EditManifest(Maml, m => m.Remove("formatVersion")), "manifest.json", "no integer \"formatVersion\"");

    [Fact]
    public void TamperedGraph()
    {
        byte[] adapt = BundleZip.Entries(Maml).Single(e => e.Name == BundleNames.AdaptEntry).Bytes;
        adapt[adapt.Length / 2] ^= 0x10;
        Rejects(BundleZip.WithEntry(Maml, BundleNames.AdaptEntry, adapt, rehash: false), "adapt.onnx", "has SHA-256", "but the manifest records", "altered or corrupted");
    }

    [Fact]
    public void CorruptedManifest_FailsItsCrc()
    {
        byte[] stored = BundleZip.Write(BundleZip.Entries(Maml), CompressionLevel.NoCompression);
        int at = System.Text.Encoding.ASCII.GetString(stored).IndexOf("\"synthetic\"", StringComparison.Ordinal);
        stored[at + 1] ^= 0x01;
        Rejects(stored, "manifest.json", "CRC-32");
    }

    [Theory]
    [InlineData(BundleNames.ParametersEntry)]
    [InlineData(BundleNames.PredictEntry)]
    [InlineData(BundleNames.AdaptEntry)]
    [InlineData(BundleNames.ManifestEntry)]
    public void MissingEntry(string entry) =>
        Rejects(BundleZip.Write(BundleZip.Entries(Maml).Where(e => e.Name != entry)), entry,
            entry == BundleNames.ManifestEntry ? "the bundle has no 'manifest.json' entry" : $"the manifest lists '{entry}', but the bundle has no such entry");

    [Fact]
    public void MissingUnrolledGraph() =>
        Rejects(BundleZip.Write(BundleZip.Entries(Maml).Where(e => e.Name != BundleNames.AdaptKEntry)), "adapt_k.onnx", "lists 'adapt_k.onnx', but the bundle has no such entry");

    [Theory]
    [InlineData("../predict.onnx")]
    [InlineData("../../etc/passwd")]
    [InlineData("graphs/predict.onnx")]
    [InlineData("..\\x")]
    [InlineData("/predict.onnx")]
    [InlineData("C:predict.onnx")]
    public void EntryPathsThatLeaveTheRootFolder(string name) =>
        Rejects(BundleZip.Write([.. BundleZip.Entries(Maml), (name, [1, 2, 3])]), name, $"entry '{name}' is a path that leaves the archive's root folder");

    [Fact]
    public void DuplicateEntry() =>
        Rejects(BundleZip.Write([.. BundleZip.Entries(Maml), BundleZip.Entries(Maml)[2]]), "predict.onnx", "entry 'predict.onnx' appears twice");

    [Fact]
    public void UnexpectedEntry() =>
        Rejects(BundleZip.Write([.. BundleZip.Entries(Maml), ("notes.txt", [1])]), "notes.txt", "unexpected entry 'notes.txt'");

    [Fact]
    public void EntryLargerThanTheCap()
    {
        using var stream = new MemoryStream(Maml);
        var error = Assert.Throws<InvalidBundleException>(() => FewShotModel.Load(stream, new RuntimeOptions { MaxEntryBytes = 1000 }));
        Assert.Contains("bytes uncompressed, more than the 1000 allowed", error.Message);
    }

    [Fact]
    public void DeclaredSizeSmallerThanTheData_InflatesOnlyThatMuch_AndFailsTheHash()
    {
        // The zip reader stops at the declared size (the extractor would too), so the shortened graph fails its hash.
        int predict = BundleZip.Entries(Maml).FindIndex(e => e.Name == BundleNames.PredictEntry);
        Rejects(BundleZip.WithDeclaredSize(Maml, predict, 100), "predict.onnx", "has SHA-256", "altered or corrupted");
    }

    [Fact]
    public void HugeDeclaredSize_IsRefusedWithoutAllocating() =>
        Rejects(BundleZip.WithDeclaredSize(Maml, 2, uint.MaxValue), "predict.onnx", "more than the 1073741824 allowed");

    [Theory]
    [InlineData(0, "the bundle is empty (0 bytes)")]
    [InlineData(22, "not a readable zip archive")]
    [InlineData(1000, "not a readable zip archive")]
    [InlineData(-1, "not a readable zip archive")]
    public void TruncatedArchive(int keep, string expected)
    {
        byte[] truncated = Maml[..(keep < 0 ? Maml.Length - 1 : keep)];
        Rejects(truncated, null, expected);
    }

    [Fact]
    public void ManifestThatIsNotJson() =>
        Rejects(BundleZip.WithManifestBytes(Maml, "{\"formatVersion\": 1, "u8.ToArray()), "manifest.json", "not valid JSON");

    public static TheoryData<string, string> ManifestEdits() => new()
    {
        { "unknown member", "is not a field of the manifest schema" },
        { "missing algorithm", "algorithm" },
        { "null model", "model" },
        { "unknown output kind", "output" },
        { "zero output size", "output.size must be positive, got 0" },
        { "head smaller than classes.max", "classes.max (9) exceeds the head's 3 outputs" },
        { "negative input dimension", "input.shape must be 1 to 8 positive sizes of at most 2147483647 elements in all, got [-4]" },
        { "float64 input", "input.dtype is 'float64'" },
        { "unknown adapted parameter", "innerLoop.adaptedParameters names 'conv9.weight', which is not a parameter" },
        { "zero steps", "innerLoop.steps must be at least 1, got 0" },
        { "hash not hex", "expected 64 lowercase hex digits" },
        { "extra file hash", "files lists 'extra.onnx'" },
        { "reserved parameter name", "parameter name 'x' is reserved by the bundle format" },
        { "duplicate key", "manifest.json does not match the manifest schema: algorithm appears twice" },
        { "accuracy above one", "provenance.metrics.accuracy must lie in [0, 1], got 1.5" },
    };

    [Theory]
    [MemberData(nameof(ManifestEdits))]
    public void ManifestThatBreaksARule(string edit, string expected)
    {
        byte[] bundle = edit == "duplicate key"
            ? BundleZip.WithManifestBytes(Maml, System.Text.Encoding.UTF8.GetBytes(BundleZip.Manifest(Maml).ToJsonString().Replace("\"algorithm\":\"maml\"", "\"algorithm\":\"maml\",\"algorithm\":\"anil\"", StringComparison.Ordinal)))
            : BundleZip.EditManifest(Maml, m => Edit(m, edit));
        Rejects(bundle, "manifest.json", expected);
    }

    [Fact]
    public void GraphOfAnotherKind_IsCaughtAtLoad()
    {
        byte[] protoPredict = BundleZip.Entries(TestBundles.Bytes(TestBundles.ProtoNet())).Single(e => e.Name == BundleNames.PredictEntry).Bytes;
        Rejects(BundleZip.WithEntry(Maml, BundleNames.PredictEntry, protoPredict, rehash: true), "predict.onnx", "takes input 'enc.weight', which is neither a parameter nor one of the inputs this graph may take");
    }

    [Fact]
    public void AdaptGraphOfAnotherHeadSize_IsCaughtAtLoad()
    {
        byte[] wide = BundleZip.Entries(TestBundles.Bytes(TestBundles.Maml(classes: 5))).Single(e => e.Name == BundleNames.AdaptEntry).Bytes;
        Rejects(BundleZip.WithEntry(Maml, BundleNames.AdaptEntry, wide, rehash: true), "adapt.onnx", "'fc2.weight'", "expected [3, 8]");
    }

    [Fact]
    public void AGraphThatKeepsTheContractButCannotRun_IsCaughtByTheWarmUp()
    {
        // The one-step graph declares what the contract asks, but adds the support's n row sums to N class numbers: shapes
        // that only a run knows, and that disagree whenever a class has more than one example.
        BundleContents good = TestBundles.Maml();
        var g = new GraphBuilder("adapt");
        var p = GraphParts.ParameterInputs(g, good.Parameters);
        string x = g.Input(BundleNames.SupportX, DataType.Float, "n", TestBundles.Inputs);
        string y = g.Input(BundleNames.SupportY, DataType.Int64, "n");
        string classes = g.Op("Add", [g.Op("ReduceMax", [y], Attr.Int("keepdims", 0)), g.Constant(TensorData.Int64("", [], [1L]))]);
        string numbers = g.Op("Range", [g.Constant(TensorData.Int64("", [], [0L])), classes, g.Constant(TensorData.Int64("", [], [1L]))]);
        string rows = g.Op("ReduceSum", [x, g.Int64s(1)], Attr.Int("keepdims", 0));
        string broken = g.Op("ReduceSum", [g.Op("Add", [rows, g.Op("Cast", [numbers], Attr.Int("to", (long)DataType.Float))])], Attr.Int("keepdims", 0));
        var adapted = p.ToDictionary(e => e.Key, e => g.Op("Add", [e.Value, g.Op("Mul", [broken, g.Scalar(0)])]));
        GraphParts.AdaptedOutputs(g, adapted, good.Parameters);
        byte[] bundle = TestBundles.Bytes(new BundleContents { Manifest = good.Manifest, Parameters = good.Parameters, Predict = good.Predict, Adapt = g.ToModel(), AdaptK = good.AdaptK });

        Rejects(bundle, "adapt.onnx", "adapt.onnx fails when run on a support set of the manifest's shapes");
        using var stream = new MemoryStream(bundle);
        using FewShotModel cold = FewShotModel.Load(stream, new RuntimeOptions { IntraOpThreads = 1, WarmUp = false });
        Assert.Throws<GraphRunException>(() => cold.Adapt(BundleTestData.Examples(6), BundleTestData.Labels(6, "a", "b", "c")));
    }

    [Fact]
    public void BrokenStatisticsGraph_IsCaughtAtLoad()
    {
        byte[] bundle = TestBundles.Bytes(TestBundles.SupportStatistics());
        byte[] step = BundleZip.Entries(bundle).Single(e => e.Name == BundleNames.AdaptEntry).Bytes;
        Rejects(BundleZip.WithEntry(bundle, BundleNames.StatisticsEntry, step, rehash: true), "statistics.onnx", "takes input 'support_y'");
        Rejects(BundleZip.WithEntry(bundle, BundleNames.StatisticsEntry, [0xFF, 0x00, 0x13, 0x37], rehash: true), "statistics.onnx", "ONNX Runtime cannot load statistics.onnx");
    }

    [Fact]
    public void GraphThatIsNotOnnx_WithAMatchingHash() =>
        Rejects(BundleZip.WithEntry(Maml, BundleNames.PredictEntry, [0xFF, 0x00, 0x13, 0x37], rehash: true), "predict.onnx", "ONNX Runtime cannot load predict.onnx");

    // Load opens the predict and adapt sessions side by side; a fault in either is reported, predict's first, as when
    // they were opened in turn.
    [Theory]
    [InlineData(true, false, "predict.onnx")]
    [InlineData(false, true, "adapt.onnx")]
    [InlineData(true, true, "predict.onnx")]
    public void SessionsOpenedSideBySide_ReportTheBrokenGraph(bool brokenPredict, bool brokenAdapt, string entry)
    {
        byte[] bundle = Maml;
        foreach ((bool broken, string name) in new[] { (brokenPredict, BundleNames.PredictEntry), (brokenAdapt, BundleNames.AdaptEntry) })
        {
            bundle = broken ? BundleZip.WithEntry(bundle, name, [0xFF, 0x00, 0x13, 0x37], rehash: true) : bundle;
        }

        Rejects(bundle, entry, $"ONNX Runtime cannot load {entry}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BrokenUnrolledGraph_IsCaughtWhenFirstAskedFor(bool notOnnx)
    {
        // adapt_k.onnx is the one graph whose session is created on first use, so its problems surface there, every time.
        byte[] wide = BundleZip.Entries(TestBundles.Bytes(TestBundles.Maml(classes: 5))).Single(e => e.Name == BundleNames.AdaptKEntry).Bytes;
        byte[] bundle = BundleZip.WithEntry(Maml, BundleNames.AdaptKEntry, notOnnx ? [0xFF, 0x00, 0x13, 0x37] : wide, rehash: true);
        using FewShotModel model = BundleTestData.Load(bundle);
        float[] support = BundleTestData.Examples(6);
        string[] labels = BundleTestData.Labels(6, "a", "b", "c");

        Assert.Equal(3, model.Adapt(support, labels).Labels.Count);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var error = Assert.Throws<InvalidBundleException>(() => model.Adapt(support, labels, new AdaptOptions { Unrolled = true }));
            Assert.Equal("adapt_k.onnx", error.EntryName);
            Assert.Contains(notOnnx ? "ONNX Runtime cannot load adapt_k.onnx" : "expected [3, 8]", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NotAZipAtAll() => Rejects(System.Text.Encoding.UTF8.GetBytes("hello, I am not a bundle"), null, "not a readable zip archive");

    private static void Edit(JsonObject m, string edit)
    {
        switch (edit)
        {
            case "unknown member": m["colour"] = "blue"; break;
            case "missing algorithm": m.Remove("algorithm"); break;
            case "null model": m["model"] = null; break;
            case "unknown output kind": m["output"]!["kind"] = "poetry"; break;
            case "zero output size": m["output"]!["size"] = 0; break;
            case "head smaller than classes.max": m["classes"]!["max"] = 9; break;
            case "negative input dimension": m["input"]!["shape"] = new JsonArray(-4); break;
            case "float64 input": m["input"]!["dtype"] = "float64"; break;
            case "unknown adapted parameter": m["innerLoop"]!["adaptedParameters"]!.AsArray().Add("conv9.weight"); break;
            case "zero steps": m["innerLoop"]!["steps"] = 0; break;
            case "hash not hex": m["files"]!["predict.onnx"] = new string('z', 64); break;
            case "extra file hash": m["files"]!["extra.onnx"] = new string('0', 64); break;
            case "reserved parameter name": m["parameters"]![0]!["name"] = "x"; break;
            case "accuracy above one": m["provenance"]!["metrics"] = new JsonObject { ["accuracy"] = 1.5, ["ci95"] = 0.01, ["ways"] = 5, ["shots"] = 1, ["episodes"] = 600 }; break;
            default: throw new ArgumentOutOfRangeException(nameof(edit), edit, "unknown edit");
        }
    }

    private static void Rejects(byte[] bundle, string? entry, params string[] fragments)
    {
        using var stream = new MemoryStream(bundle);
        var error = Assert.Throws<InvalidBundleException>(() => FewShotModel.Load(stream, BundleTestData.Options).Dispose());
        Assert.Equal(entry, error.EntryName);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
