using System.Text.Json;

namespace Streaming.Models.Tokenization;

/// <summary>
/// A JSON value of a tokenizer.json together with its path (<c>model.vocab</c>), so that every
/// parse error names the field it is about.
/// </summary>
internal readonly struct JsonSection(JsonElement element, string path)
{
    public JsonElement Element { get; } = element;
    public string Path { get; } = path;

    public JsonValueKind Kind => Element.ValueKind;
    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public TokenizerFormatException Error(string problem) => new($"tokenizer.json: {Path}: {problem}");

    /// <summary>The field <paramref name="name"/>; absent fields read as JSON null.</summary>
    public JsonSection this[string name]
    {
        get
        {
            if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
            return Element.TryGetProperty(name, out var value) ? new(value, $"{Path}.{name}") : new(default, $"{Path}.{name}");
        }
    }

    public bool Has(string name) => Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonSection Required(string name)
    {
        var field = this[name];
        if (field.IsNull) throw field.Error("required field is missing");
        return field;
    }

    public string String()
    {
        if (Element.ValueKind != JsonValueKind.String) throw Error($"expected a string, found {Describe(Element)}");
        return Element.GetString()!;
    }

    public string? OptionalString() => IsNull ? null : String();

    public string String(string name) => Required(name).String();

    public string StringOr(string name, string fallback) => this[name].OptionalString() ?? fallback;

    public bool BoolOr(string name, bool fallback)
    {
        var field = this[name];
        if (field.IsNull) return fallback;
        return field.Kind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw field.Error($"expected true or false, found {Describe(field.Element)}"),
        };
    }

    public int Int()
    {
        if (Element.ValueKind != JsonValueKind.Number || !Element.TryGetInt32(out var value)) throw Error($"expected an integer, found {Describe(Element)}");
        return value;
    }

    public int IntOr(string name, int fallback) => this[name].IsNull ? fallback : this[name].Int();

    public IEnumerable<JsonSection> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array) throw Error($"expected an array, found {Describe(Element)}");
        var i = 0;
        foreach (var item in Element.EnumerateArray()) yield return new(item, $"{Path}[{i++}]");
    }

    public IEnumerable<(string Name, JsonSection Value)> Properties()
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
        foreach (var p in Element.EnumerateObject()) yield return (p.Name, new(p.Value, $"{Path}.{p.Name}"));
    }

    /// <summary>The <c>type</c> field that selects a component's implementation.</summary>
    public string Type() => String("type");

    public TokenizerFormatException Unsupported(string kind, string type, string supported) =>
        Error($"{kind} type \"{type}\" is not supported (supported: {supported})");

    static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };

    static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
