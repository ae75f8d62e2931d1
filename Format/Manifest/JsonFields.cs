using System.Globalization;
using System.Text.Json;

namespace FewShot.Bundles;

/// <summary>
/// One JSON object of manifest.json, read field by field for <see cref="ManifestReader"/>: each accessor takes a field
/// and checks its kind, and <see cref="Read{T}"/> refuses the object when a field was repeated or never taken (a field
/// the schema does not have). Every problem is a <see cref="BundleFormatException"/> that names the field's path.
/// </summary>
internal sealed class JsonFields
{
    private readonly string _path;
    // Field name to its place in _values: a dictionary over JsonElement values is an instantiation that no precompiled
    // image holds, which a process's first manifest would pay for in JIT time.
    private readonly Dictionary<string, int> _members = new(StringComparer.Ordinal);
    private readonly List<JsonElement> _values = [];
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    private JsonFields(JsonElement element, string path)
    {
        _path = path;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Problem(Label(path), $"must be a JSON object, not {Kind(element)}");
        }

        foreach (JsonProperty member in element.EnumerateObject())
        {
            if (!_members.TryAdd(member.Name, _values.Count))
            {
                throw Problem(Join(path, member.Name), "appears twice");
            }

            _values.Add(member.Value);
        }
    }

    /// <summary>Builds a value from the object <paramref name="element"/> at <paramref name="path"/> ("" for the document's root).</summary>
    public static T Read<T>(JsonElement element, string path, Func<JsonFields, T> build)
    {
        var fields = new JsonFields(element, path);
        T value = build(fields);
        foreach (string name in fields._members.Keys)
        {
            if (!fields._taken.Contains(name))
            {
                throw Problem(Join(path, name), "is not a field of the manifest schema");
            }
        }

        return value;
    }

    public int Int(string name) => Int32(Join(_path, name), Required(name));

    public int? OptionalInt(string name) => Optional(name) is { } e ? Int32(Join(_path, name), e) : null;

    public long Long(string name) => Int64(Join(_path, name), Required(name));

    public double Double(string name) => Float64(Join(_path, name), Required(name));

    public float Float(string name) => Single(Join(_path, name), Required(name));

    public bool Bool(string name) => Boolean(name, Required(name));

    /// <summary>A boolean that may be left out (false); null is refused, as for every field whose type has no null.</summary>
    public bool OptionalBool(string name) => Take(name) is { } e && Boolean(name, e);

    public string String(string name) => Text(Join(_path, name), Required(name));

    public string? OptionalString(string name) => Optional(name) is { } e ? Text(Join(_path, name), e) : null;

    public IReadOnlyList<string> Strings(string name) => Array(name, Required(name), Text);

    public IReadOnlyList<string>? OptionalStrings(string name) => Optional(name) is { } e ? Array(name, e, Text) : null;

    public IReadOnlyList<long> Longs(string name) =>
        Array(name, Required(name), Int64);

    public IReadOnlyList<float>? OptionalFloats(string name) => Optional(name) is { } e ? Array(name, e, Single) : null;

    public T Object<T>(string name, Func<JsonFields, T> build) => Read(Required(name), Join(_path, name), build);

    public T? OptionalObject<T>(string name, Func<JsonFields, T> build)
        where T : class => Optional(name) is { } e ? Read(e, Join(_path, name), build) : null;

    /// <summary>An object that must be present but may be null.</summary>
    public T? PresentObjectOrNull<T>(string name, Func<JsonFields, T> build)
        where T : class
    {
        JsonElement e = Take(name) ?? throw Problem(Join(_path, name), "is missing (write null for none)");
        return e.ValueKind == JsonValueKind.Null ? null : Read(e, Join(_path, name), build);
    }

    public IReadOnlyList<T> Objects<T>(string name, Func<JsonFields, T> build) => Array(name, Required(name), (path, e) => Read(e, path, build));

    /// <summary>An object of string values, keyed by name.</summary>
    public IReadOnlyDictionary<string, string> StringMap(string name)
    {
        string path = Join(_path, name);
        var map = new JsonFields(Required(name), path);
        var values = new Dictionary<string, string>(map._members.Count, StringComparer.Ordinal);
        foreach ((string key, int at) in map._members)
        {
            values[key] = Text(Join(path, key), map._values[at]);
        }

        return values;
    }

    /// <summary>A string that must be one of <paramref name="spellings"/>, exactly.</summary>
    public T Enum<T>(string name, params (string Spelling, T Value)[] spellings)
    {
        string path = Join(_path, name);
        JsonElement e = Required(name);
        string? text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        foreach ((string spelling, T value) in spellings)
        {
            if (string.Equals(text, spelling, StringComparison.Ordinal))
            {
                return value;
            }
        }

        throw Problem(path, $"is {e.GetRawText()}; expected one of {string.Join(", ", spellings.Select(s => $"\"{s.Spelling}\""))}");
    }

    private JsonElement? Take(string name)
    {
        _taken.Add(name);
        return _members.TryGetValue(name, out int at) ? _values[at] : null;
    }

    private JsonElement Required(string name)
    {
        JsonElement e = Take(name) ?? throw Problem(Join(_path, name), "is missing");
        return e.ValueKind == JsonValueKind.Null ? throw Problem(Join(_path, name), "is null; it has no null value") : e;
    }

    private JsonElement? Optional(string name) => Take(name) is { ValueKind: not JsonValueKind.Null } e ? e : null;

    private static int Int32(string path, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int value) ? value : throw Problem(path, $"is {e.GetRawText()}, not a whole number within int32");

    private static long Int64(string path, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long value) ? value : throw Problem(path, $"is {e.GetRawText()}, not a whole number within int64");

    private bool Boolean(string name, JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Problem(Join(_path, name), $"must be true or false, not {Kind(e)}"),
    };

    private IReadOnlyList<T> Array<T>(string name, JsonElement e, Func<string, JsonElement, T> item)
    {
        string path = Join(_path, name);
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw Problem(path, $"must be a JSON array, not {Kind(e)}");
        }

        var items = new T[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement x in e.EnumerateArray())
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
            items[i++] = x.ValueKind == JsonValueKind.Null ? throw Problem(at, "is null; it has no null value") : item(at, x);
        }

        return items;
    }

    private static double Float64(string path, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double value) && double.IsFinite(value) ? value
            : throw Problem(path, $"is {e.GetRawText()}, not a finite float64");

    private static float Single(string path, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out float value) && float.IsFinite(value) ? value
            : throw Problem(path, $"is {e.GetRawText()}, not a finite float32");

    private static string Text(string path, JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Problem(path, $"must be a string, not {Kind(e)}");

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Label(string path) => path.Length == 0 ? "the manifest" : path;

    private static BundleFormatException Problem(string path, string problem) =>
        new(BundleNames.ManifestEntry, $"manifest.json does not match the manifest schema: {path} {problem}");
}
