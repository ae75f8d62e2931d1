using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FewShot.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// Writes a bundle the way format 1 did, from a format-2 one: θ₀ as the initializer of every parameter input of every
/// graph, no parameters.bin, no input.preprocessing, formatVersion 1. The upgrade tests start from it.
/// </summary>
internal static class FormatOne
{
    public static byte[] From(byte[] formatTwo)
    {
        List<(string Name, byte[] Bytes)> entries = BundleZip.Entries(formatTwo);
        NamedTensor[] theta = TensorSet.DecodeFile(entries.Single(e => e.Name == BundleNames.ParametersEntry).Bytes, "parameters.bin");
        JsonObject manifest = BundleZip.Manifest(formatTwo);
        manifest["formatVersion"] = 1;
        manifest["input"]!.AsObject().Remove("preprocessing");
        var files = new JsonObject();
        var written = new List<(string Name, byte[] Bytes)>();
        foreach ((string name, byte[] bytes) in entries.Where(e => BundleNames.GraphEntries.Contains(e.Name)))
        {
            ModelProto model = OnnxModelFile.Parse(bytes);
            var inputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (NamedTensor tensor in theta.Where(t => inputs.Contains(t.Name)))
            {
                model.Graph.Initializer.Add(TensorData.Float(tensor.Name, tensor.Shape, tensor.Values));
            }

            byte[] graph = OnnxModelFile.ToBytes(model);
            files[name] = Convert.ToHexStringLower(SHA256.HashData(graph));
            written.Add((name, graph));
        }

        manifest["files"] = files;
        return BundleZip.Write([(BundleNames.ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString())), .. written]);
    }
}
