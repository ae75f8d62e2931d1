using System.IO.Compression;
using System.Text.Json.Nodes;
using FewShot.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Turns a format-1 bundle into the current format: θ₀, which format 1 stored as initializers in every graph, is taken
/// from predict.onnx (which holds every parameter) and written once, in parameters.bin; the graphs keep everything
/// else and take the parameters as plain inputs. Predictions are unchanged: the same graphs run on the same values.
/// </summary>
/// <remarks>
/// Format 1 did not record how images become inputs. <c>input.preprocessing</c> is the caller's, or, when the caller
/// gives none and the input is one 28×28 gray image ([1, 28, 28], every bundle this project shipped), Omniglot's
/// (<see cref="ManifestPreprocessing.Omniglot"/>); for any other input it stays null, which the format allows and
/// which means "prepare inputs yourself, as input.normalization.text says". Stateless and thread-safe.
/// </remarks>
public static class BundleUpgrade
{
    /// <summary>Upgrades the bundle at <paramref name="source"/> and writes it to <paramref name="destination"/> atomically.</summary>
    /// <param name="source">A format-1 bundle.</param>
    /// <param name="destination">The format-2 bundle to write; may not be <paramref name="source"/>'s path.</param>
    /// <param name="preprocessing">The input preprocessing to record, or null for the default described above.</param>
    /// <returns>The new model hash (manifest.json changed, so adapted states of the old bundle do not load on the new one).</returns>
    /// <exception cref="InvalidDataException"><paramref name="source"/> is not a readable format-1 bundle.</exception>
    /// <exception cref="ArgumentException">The upgraded bundle would break the format (the message says why).</exception>
    public static string Upgrade(string source, string destination, ManifestPreprocessing? preprocessing = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (Path.GetFullPath(source) == Path.GetFullPath(destination))
        {
            throw new ArgumentException($"write the upgraded bundle to a new file, not over '{source}'", nameof(destination));
        }

        using FileStream stream = File.OpenRead(source);
        return BundleWriter.Write(destination, Read(stream, preprocessing));
    }

    /// <summary>The contents of the format-1 bundle read from <paramref name="bundle"/> (which stays open), ready for <see cref="BundleWriter"/>.</summary>
    /// <inheritdoc cref="Upgrade(string, string, ManifestPreprocessing?)"/>
    public static BundleContents Read(Stream bundle, ManifestPreprocessing? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        using var buffer = new MemoryStream();
        bundle.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        byte[] manifestBytes = BundleFile.ReadEntry(new MemoryStream(bytes), BundleNames.ManifestEntry);
        int version;
        try
        {
            version = ManifestJson.ReadVersion(manifestBytes);
        }
        catch (BundleFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        if (version != 1)
        {
            throw new InvalidDataException(version == BundleNames.FormatVersion
                ? $"the bundle is already format {version}; there is nothing to upgrade"
                : $"the bundle is format {version}; only format 1 can be upgraded to {BundleNames.FormatVersion}");
        }

        JsonObject manifest = JsonNode.Parse(manifestBytes)?.AsObject() ?? throw new InvalidDataException("manifest.json holds null");
        ModelProto predict = Graph(bytes, BundleNames.PredictEntry);
        ModelProto adapt = Graph(bytes, BundleNames.AdaptEntry);
        bool unrolled = manifest["files"]?.AsObject().ContainsKey(BundleNames.AdaptKEntry) == true;
        ModelProto? adaptK = unrolled ? Graph(bytes, BundleNames.AdaptKEntry) : null;
        return new BundleContents
        {
            Manifest = Upgraded(manifest, preprocessing),
            Parameters = Theta(manifest, predict),
            Predict = predict,
            Adapt = adapt,
            AdaptK = adaptK,
        };
    }

    private static ModelProto Graph(byte[] bundle, string entry) => OnnxModelFile.Parse(BundleFile.ReadEntry(new MemoryStream(bundle), entry));

    // Format 1's θ₀: predict.onnx's initializer for every parameter the manifest lists, in the manifest's order.
    private static TensorProto[] Theta(JsonObject manifest, ModelProto predict)
    {
        var initializers = predict.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        JsonArray parameters = manifest["parameters"]?.AsArray() ?? throw new InvalidDataException("manifest.json has no parameters");
        return [.. parameters.Select(p => p?["name"]?.GetValue<string>() ?? throw new InvalidDataException("manifest.json lists a parameter without a name"))
            .Select(name => initializers.TryGetValue(name, out TensorProto? value)
                ? value.Clone()
                : throw new InvalidDataException($"predict.onnx stores no θ₀ for parameter '{name}'; it is not a format-1 bundle FewShot wrote"))];
    }

    private static ModelManifest Upgraded(JsonObject manifest, ManifestPreprocessing? preprocessing)
    {
        JsonObject input = manifest["input"]?.AsObject() ?? throw new InvalidDataException("manifest.json has no input");
        long[] shape = input["shape"]?.AsArray().Select(d => d?.GetValue<long>() ?? 0).ToArray() ?? [];
        preprocessing ??= shape is [1, 28, 28] ? ManifestPreprocessing.Omniglot : null;
        manifest["formatVersion"] = BundleNames.FormatVersion;
        input["preprocessing"] = null;

        // The writer derives parameters and files again from θ₀ and the graphs; placeholders only let the schema parse.
        var files = new JsonObject { [BundleNames.ParametersEntry] = new string('0', 64) };
        foreach ((string entry, JsonNode? hash) in manifest["files"]?.AsObject() ?? [])
        {
            files[entry] = hash?.DeepClone();
        }

        manifest["files"] = files;
        try
        {
            ModelManifest read = ManifestJson.Read(System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            return read with { Input = read.Input with { Preprocessing = preprocessing } };
        }
        catch (BundleFormatException e)
        {
            throw new InvalidDataException($"the format-1 manifest cannot be upgraded: {e.Message}", e);
        }
    }
}
