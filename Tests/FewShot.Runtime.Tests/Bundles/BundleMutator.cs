using System.Text;
using System.Text.Json.Nodes;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Seeded corruptions of bundles for the fuzz test: each returns the corrupted bytes and whether they must fail to load.</summary>
internal sealed class BundleMutator(int seed)
{
    private static readonly string[] EntryNames = ["manifest.json", "predict.onnx", "adapt.onnx", "adapt_k.onnx"];
    private readonly Random _random = new(seed);

    public (byte[] Bundle, bool MustFail) FlipBits(byte[] bundle)
    {
        byte[] copy = [.. bundle];
        int flips = _random.Next(1, 9);
        for (int i = 0; i < flips; i++)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        // A flip in a timestamp or attribute field of a zip header is harmless, so these may load.
        return (copy, false);
    }

    public (byte[] Bundle, bool MustFail) Overwrite(byte[] bundle)
    {
        byte[] copy = [.. bundle];
        int length = _random.Next(1, 64);
        int start = _random.Next(copy.Length - length);
        _random.NextBytes(copy.AsSpan(start, length));
        return (copy, false);
    }

    public (byte[] Bundle, bool MustFail) Truncate(byte[] bundle) => (bundle[.._random.Next(bundle.Length)], true);

    public (byte[] Bundle, bool MustFail) RenameEntry(byte[] bundle)
    {
        var entries = BundleZip.Entries(bundle);
        int index = _random.Next(entries.Count);
        string name = entries[index].Name;
        string[] choices = ["../" + name, "../../" + name, "sub/" + name, "/" + name, "..\\" + name, "C:" + name, name.ToUpperInvariant(), name + " ",
            " " + name, " ", ".", "..", name + "\0", EntryNames[(Array.IndexOf(EntryNames, name) + 1) % EntryNames.Length], $"extra{_random.Next(100)}.bin"];
        string renamed = choices[_random.Next(choices.Length)];
        entries[index] = (renamed, entries[index].Bytes);
        return (BundleZip.Write(entries), true);
    }

    public (byte[] Bundle, bool MustFail) DuplicateOrDropEntry(byte[] bundle)
    {
        var entries = BundleZip.Entries(bundle);
        var chosen = entries[_random.Next(entries.Count)];
        if (_random.Next(2) == 0)
        {
            entries.Insert(_random.Next(entries.Count + 1), chosen);
        }
        else
        {
            entries.Remove(chosen);
        }

        return (BundleZip.Write(entries), true);
    }

    public (byte[] Bundle, bool MustFail) DeclareSize(byte[] bundle)
    {
        int records = BundleZip.CentralRecords(bundle).Count;
        uint[] sizes = [0, 1, 100, (uint)_random.Next(), uint.MaxValue, uint.MaxValue - 1, 0x7FFFFFFF, 0x80000000];
        uint size = sizes[_random.Next(sizes.Length)];
        int record = _random.Next(records);
        byte[] original = BundleZip.Entries(bundle)[record].Bytes;
        return (BundleZip.WithDeclaredSize(bundle, record, size), size != original.Length);
    }

    public (byte[] Bundle, bool MustFail) ReplaceGraph(byte[] bundle, byte[] otherBundle)
    {
        var others = BundleZip.Entries(otherBundle).Where(e => e.Name != "manifest.json").ToList();
        var graphs = BundleZip.Entries(bundle).Where(e => e.Name != "manifest.json").ToList();
        string target = graphs[_random.Next(graphs.Count)].Name;
        byte[] replacement = _random.Next(3) switch
        {
            0 => RandomBytes(_random.Next(0, 300)),
            1 => others[_random.Next(others.Count)].Bytes,
            _ => [.. graphs[_random.Next(graphs.Count)].Bytes.Take(_random.Next(1, 400))],
        };
        return (BundleZip.WithEntry(bundle, target, replacement, rehash: true), false);
    }

    /// <summary>
    /// Flips a few bytes inside one graph or parameters.bin and recomputes its hash in the manifest, as a careless tool
    /// or a hostile one would: the damage reaches ONNX Runtime or the tensor codec instead of the hash check.
    /// </summary>
    public (byte[] Bundle, bool MustFail) FlipGraphBytesRehashed(byte[] bundle)
    {
        var entries = BundleZip.Entries(bundle).Where(e => e.Name != "manifest.json").ToList();
        (string name, byte[] bytes) = entries[_random.Next(entries.Count)];
        byte[] damaged = [.. bytes];
        for (int flips = 1 + _random.Next(4); flips > 0; flips--)
        {
            damaged[_random.Next(damaged.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return (BundleZip.WithEntry(bundle, name, damaged, rehash: true), false);
    }

    /// <summary>Sets the inner loop's step count to a huge value, which a bundle may never ask for.</summary>
    public (byte[] Bundle, bool MustFail) HugeStepCount(byte[] bundle)
    {
        long steps = _random.Next(3) switch { 0 => int.MaxValue, 1 => 100_000_000, _ => 1_001 + _random.Next(1_000_000) };
        System.Text.Json.Nodes.JsonObject manifest = BundleZip.Manifest(bundle);
        return manifest["innerLoop"] is null
            ? (bundle, false)
            : (BundleZip.EditManifest(bundle, m => m["innerLoop"]!["steps"] = steps), true);
    }

    /// <summary>Changes, removes, renames or adds one JSON member somewhere in the manifest, or breaks its text.</summary>
    public (byte[] Bundle, bool MustFail) MutateManifest(byte[] bundle)
    {
        JsonObject manifest = BundleZip.Manifest(bundle);
        if (_random.Next(10) == 0)
        {
            string text = manifest.ToJsonString();
            int cut = _random.Next(text.Length);
            string broken = _random.Next(2) == 0 ? text[..cut] : text.Insert(cut, new[] { "{", "]", ",", "\"", "\\u", "//", "\u0000" }[_random.Next(7)]);
            return (BundleZip.WithManifestBytes(bundle, Encoding.UTF8.GetBytes(broken)), false);
        }

        var nodes = new List<JsonNode>();
        Collect(manifest, nodes);
        JsonNode target = nodes[_random.Next(nodes.Count)];
        JsonNode parent = target.Parent!;
        switch (_random.Next(4))
        {
            case 0 when parent is JsonObject o:
                o.Remove(target.GetPropertyName());
                break;
            case 0 when parent is JsonArray a:
                a.Remove(target);
                break;
            case 1 when parent is JsonObject o:
                string name = target.GetPropertyName();
                o.Remove(name);
                o[name + "_"] = target;
                break;
            case 2 when parent is JsonObject o:
                o[$"unknown{_random.Next(10)}"] = RandomValue();
                break;
            default:
                Replace(parent, target, RandomValue());
                break;
        }

        return (BundleZip.WithManifestBytes(bundle, Encoding.UTF8.GetBytes(manifest.ToJsonString())), false);
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (JsonNode? child in children)
        {
            if (child is not null)
            {
                nodes.Add(child);
                Collect(child, nodes);
            }
        }
    }

    private static void Replace(JsonNode parent, JsonNode target, JsonNode? value)
    {
        if (parent is JsonObject o)
        {
            o[target.GetPropertyName()] = value;
        }
        else
        {
            ((JsonArray)parent)[target.GetElementIndex()] = value;
        }
    }

    private JsonNode? RandomValue() => _random.Next(22) switch
    {
        0 => null,
        1 => true,
        2 => 0,
        3 => -1,
        4 => 1,
        5 => 2,
        6 => int.MaxValue,
        7 => long.MaxValue,
        8 => 1e308,
        9 => -0.5,
        10 => "",
        11 => "x",
        12 => "../../etc/passwd",
        13 => new string('a', 10_000),
        14 => new JsonArray(),
        15 => new JsonObject(),
        16 => new JsonArray(1, 2, 3),
        17 => new JsonArray(-1, 0),
        18 => "logits",
        19 => "embedding",
        20 => new string('0', 64),
        _ => _random.Next(-5, 50),
    };

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
