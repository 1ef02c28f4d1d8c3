using System.Text;
using System.Text.Json;

namespace Streaming.Video.Tfjs;

/// <summary>
/// One node of a TF.js graph model's <c>modelTopology.node</c>: a TensorFlow <c>NodeDef</c> in JSON, whose <c>attr</c>
/// values are <c>AttrValue</c>s (<c>i</c> as decimal strings, <c>s</c> as base64, lists under <c>list</c>).
/// </summary>
internal sealed record TfjsNode(string Name, string Op, string[] Inputs, JsonElement Attributes)
{
    public bool Has(string attribute) => Attributes.ValueKind == JsonValueKind.Object && Attributes.TryGetProperty(attribute, out _);

    public long Int(string attribute) => Number(Attr(attribute).GetProperty("i"));

    public long Int(string attribute, long fallback) => Has(attribute) ? Int(attribute) : fallback;

    public bool Bool(string attribute, bool fallback) =>
        Has(attribute) && Attr(attribute).TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    public string String(string attribute) => Encoding.UTF8.GetString(Convert.FromBase64String(Attr(attribute).GetProperty("s").GetString() ?? ""));

    public string Type(string attribute) => Attr(attribute).GetProperty("type").GetString() ?? "";

    public long[] Ints(string attribute) =>
        Has(attribute) && Attr(attribute).GetProperty("list").TryGetProperty("i", out var list)
            ? list.EnumerateArray().Select(Number).ToArray()
            : [];

    public string[] Strings(string attribute) =>
        Has(attribute) && Attr(attribute).GetProperty("list").TryGetProperty("s", out var list)
            ? list.EnumerateArray().Select(s => Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString() ?? ""))).ToArray()
            : [];

    /// <summary>The dims of a <c>Placeholder</c>'s <c>shape</c> attribute (-1 where unknown).</summary>
    public long[] Shape(string attribute) =>
        Attr(attribute).GetProperty("shape").TryGetProperty("dim", out var dims)
            ? dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var s) ? Number(s) : 0).ToArray()
            : [];

    JsonElement Attr(string attribute) =>
        Has(attribute) ? Attributes.GetProperty(attribute) : throw new InvalidDataException($"node '{Name}' ({Op}) has no attribute '{attribute}'.");

    // JSON carries int64 as strings; some converters write plain numbers.
    static long Number(JsonElement e) => e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetInt64();
}
