using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FewShot.Bundles.Tests.Manifest;

/// <summary>
/// The hand-mapped reader against the writer (every field read back) and against the source-generated deserializer it
/// replaced (the same documents accepted and refused, over every field's removal, null, wrong kinds and extra fields).
/// </summary>
public sealed class ManifestReaderTests
{
    // Every optional field set, every enum off its default: what the writer emits must all be read back.
    private static readonly ModelManifest Full = new()
    {
        Algorithm = "maml",
        Model = "conv4",
        Input = new ManifestInput
        {
            Shape = [3, 84, 84],
            Normalization = new ManifestNormalization { Text = "imagenet", Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f] },
            Preprocessing = new ManifestPreprocessing { Channels = ChannelOrder.Rgb, Resize = ResizeMethod.Area, Min = -1.5f, Max = 2.25f, Bright = BrightPart.Background },
        },
        Output = new ManifestOutput { Kind = OutputKind.Regression, Size = 7 },
        Classes = new ManifestClasses { Min = 2, Max = 6 },
        InnerLoop = new ManifestInnerLoop
        {
            Steps = 3, LearningRate = 0.0125, FirstOrder = true, AdaptedParameters = ["w", "s.mean"], CarriedState = ["h"], Statistics = ["s.mean"], SeparableSteps = true,
        },
        Parameters = [new ManifestParameter { Name = "w", Shape = [7, 21168] }, new ManifestParameter { Name = "s.mean", Shape = [64] }, new ManifestParameter { Name = "h", Shape = [1] }],
        BatchNorm = ModelManifest.BatchStatisticsText,
        FeatureNormalization = FeatureNormalizationNames.Support,
        Files = new Dictionary<string, string> { ["parameters.bin"] = new('a', 64), ["predict.onnx"] = new('b', 64) },
        Provenance = new ManifestProvenance
        {
            Dataset = "mini", Split = "train", Iterations = 5_000_000_000, Seed = -3,
            Metrics = new ManifestMetrics { Accuracy = 0.987654321, Ci95 = 0.0031, Ways = 5, Shots = 1, Episodes = 600 },
        },
        CreatedBy = "FewShot test",
    };

    private static readonly string[] EnumFields = ["input/preprocessing/channels", "input/preprocessing/resize", "input/preprocessing/bright", "output/kind"];

    [Fact]
    public void EveryFieldTheWriterWrites_IsReadBack()
    {
        byte[] written = ManifestJson.Write(Full);

        ModelManifest read = Read(written);

        Assert.Equal(Encoding.UTF8.GetString(written), Encoding.UTF8.GetString(ManifestJson.Write(read)));
        Assert.True(read.InnerLoop!.SeparableSteps);
        Assert.Equal(5_000_000_000, read.Provenance.Iterations);
    }

    [Fact]
    public void OptionalFieldsLeftOut_ReadAsTheirDefaults()
    {
        var sparse = Full with { Classes = null, InnerLoop = Full.InnerLoop! with { CarriedState = null, Statistics = null, SeparableSteps = false }, BatchNorm = null, FeatureNormalization = null };
        JsonObject json = Node(ManifestJson.Write(sparse));
        json.Remove("classes");
        json.Remove("batchNorm");
        json.Remove("featureNormalization");

        ModelManifest read = Read(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Equal(Encoding.UTF8.GetString(ManifestJson.Write(sparse)), Encoding.UTF8.GetString(ManifestJson.Write(read)));
    }

    [Theory]
    [InlineData("input.preprocessing.channels", "\"Gray\"", "input.preprocessing.channels is \"Gray\"; expected one of \"gray\", \"rgb\"")]
    [InlineData("output.size", "5.5", "output.size is 5.5, not a whole number within int32")]
    [InlineData("output.size", "4294967296", "output.size is 4294967296, not a whole number within int32")]
    [InlineData("innerLoop.steps", "\"3\"", "innerLoop.steps is \"3\", not a whole number within int32")]
    [InlineData("innerLoop.firstOrder", "1", "innerLoop.firstOrder must be true or false, not a number")]
    [InlineData("innerLoop.separableSteps", "null", "innerLoop.separableSteps must be true or false, not null")]
    [InlineData("input.shape", "[3, null, 84]", "input.shape[1] is null; it has no null value")]
    [InlineData("input.normalization.mean", "[1e39]", "input.normalization.mean[0] is 1e39, not a finite float32")]
    [InlineData("provenance.metrics.accuracy", "1e400", "provenance.metrics.accuracy is 1e400, not a finite float64")]
    [InlineData("algorithm", "null", "algorithm is null; it has no null value")]
    [InlineData("files", "[]", "files must be a JSON object, not an array")]
    public void AWrongValue_IsRefusedWithItsPath(string path, string value, string expected)
    {
        JsonObject json = Node(ManifestJson.Write(Full));
        string[] names = path.Split('.');
        JsonObject parent = names[..^1].Aggregate(json, (node, name) => node[name]!.AsObject());
        parent[names[^1]] = JsonNode.Parse(value);

        BundleFormatException e = Assert.Throws<BundleFormatException>(() => Read(Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.Equal($"manifest.json does not match the manifest schema: {expected}", e.Message);
    }

    [Theory]
    [InlineData("{\"formatVersion\": 2, \"formatVersion\": 2}", "formatVersion appears twice")]
    [InlineData("{\"formatVersion\": 2, \"algorithm\": \"maml\"} {}", "is not valid JSON")]
    [InlineData("{\"formatVersion\": 2, /* c */ \"algorithm\": \"maml\"}", "is not valid JSON")]
    [InlineData("{\"formatVersion\": 2, \"algorithm\": \"maml\",}", "is not valid JSON")]
    public void MalformedDocuments_AreRefused(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<BundleFormatException>(() => ManifestJson.Read(Encoding.UTF8.GetBytes(json))).Message);

    [Fact]
    public void DuplicateAndUnknownFields_AreRefusedAtAnyDepth()
    {
        string json = Encoding.UTF8.GetString(ManifestJson.Write(Full));

        Assert.Contains("provenance.metrics.ways appears twice",
            Assert.Throws<BundleFormatException>(() => Read(Encoding.UTF8.GetBytes(json.Replace("\"ways\": 5", "\"ways\": 5, \"ways\": 6", StringComparison.Ordinal)))).Message);
        Assert.Contains("parameters[1].dtype is not a field of the manifest schema",
            Assert.Throws<BundleFormatException>(() => Read(Encoding.UTF8.GetBytes(json.Replace("\"name\": \"s.mean\"", "\"name\": \"s.mean\", \"dtype\": \"f\"", StringComparison.Ordinal)))).Message);
    }

    /// <summary>
    /// Every field of the full manifest removed, set to null, to a string, to a fraction and to an empty array, and an
    /// unknown field added to every object: the reader accepts exactly what the source-generated deserializer did, and
    /// reads the same values, except where it is stricter on purpose: a null value in <c>files</c>, and an enum written as
    /// a number (the generated converter took any integer, such as 7, which only the rules then refused).
    /// </summary>
    [Fact]
    public void TheReader_AcceptsWhatTheSourceGeneratedDeserializerAccepted()
    {
        JsonObject full = Node(ManifestJson.Write(Full));
        var documents = new List<(string Edit, string Json)>();
        foreach ((string path, _, _) in Fields(full, string.Empty))
        {
            documents.Add(($"{path} removed", Edited(full, path, (p, n) => p.Remove(n))));
            foreach (string value in new[] { "null", "\"x\"", "1.5", "[]", "7" })
            {
                documents.Add(($"{path} = {value}", Edited(full, path, (p, n) => p[n] = JsonNode.Parse(value))));
            }
        }

        foreach ((string path, _) in Objects(full, string.Empty))
        {
            documents.Add(($"{path} + unknown", Edited(full, path.TrimStart('/'), (p, _) => p["unknownField"] = 1, objectItself: true)));
        }

        var disagreements = new List<string>();
        foreach ((string edit, string json) in documents)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(json);
            string? ours = Outcome(() => Read(bytes));
            string? theirs = Outcome(() => JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.ModelManifest)!);
            bool stricterOnPurpose = ours is null && theirs is not null
                && ((edit.StartsWith("files/", StringComparison.Ordinal) && edit.EndsWith("= null", StringComparison.Ordinal))
                    || (EnumFields.Any(f => edit.StartsWith(f + " = ", StringComparison.Ordinal)) && edit.EndsWith(" = 7", StringComparison.Ordinal)));
            if (ours != theirs && !stricterOnPurpose)
            {
                disagreements.Add($"{edit}: reader {ours ?? "refused"}, source-generated {theirs ?? "refused"}");
            }
        }

        Assert.True(documents.Count > 200, $"only {documents.Count} documents");
        Assert.Empty(disagreements);
    }

    private static ModelManifest Read(byte[] json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return ManifestReader.Read(document.RootElement);
    }

    // The manifest written back (the same bytes for the same values), or null where reading threw.
    private static string? Outcome(Func<ModelManifest> read)
    {
        try
        {
            return Encoding.UTF8.GetString(ManifestJson.Write(read()));
        }
        catch (Exception e) when (e is BundleFormatException or JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    private static JsonObject Node(byte[] json) => JsonNode.Parse(json)!.AsObject();

    // Every field of every object, depth first, by path (names joined by '/', as files' keys hold dots; array items by index).
    private static IEnumerable<(string Path, JsonObject Parent, string Name)> Fields(JsonObject node, string prefix)
    {
        foreach ((string name, JsonNode? value) in node.ToList())
        {
            string path = prefix.Length == 0 ? name : $"{prefix}/{name}";
            yield return (path, node, name);
            foreach ((string childPath, JsonObject child) in Children(value, path))
            {
                foreach (var field in Fields(child, childPath))
                {
                    yield return field;
                }
            }
        }
    }

    private static IEnumerable<(string Path, JsonObject Node)> Objects(JsonObject node, string path)
    {
        yield return (path, node);
        foreach ((string name, JsonNode? value) in node.ToList())
        {
            foreach ((string childPath, JsonObject child) in Children(value, $"{path}/{name}"))
            {
                foreach (var inner in Objects(child, childPath))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<(string Path, JsonObject Node)> Children(JsonNode? value, string path) => value switch
    {
        JsonObject o => [(path, o)],
        JsonArray a => a.Select((item, i) => (Path: $"{path}/{i}", Item: item)).Where(x => x.Item is JsonObject).Select(x => (x.Path, x.Item!.AsObject())),
        _ => [],
    };

    // A copy of the document with the field at the '/'-joined path edited; objectItself: the path names the object to edit.
    private static string Edited(JsonObject document, string path, Action<JsonObject, string> edit, bool objectItself = false)
    {
        JsonObject copy = document.DeepClone().AsObject();
        string[] names = path.Length == 0 ? [] : path.Split('/');
        JsonNode parent = copy;
        foreach (string name in objectItself ? names : names[..^1])
        {
            parent = int.TryParse(name, out int i) && parent is JsonArray array ? array[i]! : parent[name]!;
        }

        edit(parent.AsObject(), objectItself ? string.Empty : names[^1]);
        return copy.ToJsonString();
    }
}
