using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streaming.Models.Checkpoints;

/// <summary>
/// Typed reads from a Hugging Face style JSON file (config.json, adapter_config.json), each failure naming
/// the file and the field: a missing field, a field of the wrong type, a value out of range.
/// </summary>
internal sealed class ConfigJson
{
    readonly JsonObject root;

    ConfigJson(string path, JsonObject root)
    {
        Path = path;
        this.root = root;
    }

    public string Path { get; }

    /// <summary>Reads and parses <paramref name="path"/>; a missing file or invalid JSON gives a message naming it.</summary>
    public static ConfigJson Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        return node is JsonObject obj ? new ConfigJson(path, obj) : throw new InvalidDataException($"{path}: expected a JSON object at the top level.");
    }

    public bool Has(string field) => root[field] is not null;

    public string String(string field) => Get(field, JsonValueKind.String, "a string").GetValue<string>();

    public int Int(string field)
    {
        var value = Get(field, JsonValueKind.Number, "an integer");
        return value.TryGetValue<int>(out var i) ? i : throw Invalid(field, $"{value.ToJsonString()} is not an integer");
    }

    public int PositiveInt(string field)
    {
        int value = Int(field);
        return value > 0 ? value : throw Invalid(field, $"{value} must be positive");
    }

    public float Float(string field) => (float)Get(field, JsonValueKind.Number, "a number").GetValue<double>();

    public bool Bool(string field)
    {
        var node = root[field] ?? throw Missing(field);
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(field, $"{node.ToJsonString()} is not true or false"),
        };
    }

    public int Int(string field, int fallback) => Has(field) ? Int(field) : fallback;

    public float Float(string field, float fallback) => Has(field) ? Float(field) : fallback;

    public bool Bool(string field, bool fallback) => Has(field) ? Bool(field) : fallback;

    public string String(string field, string fallback) => Has(field) ? String(field) : fallback;

    public IReadOnlyList<string> Strings(string field)
    {
        var node = root[field] ?? throw Missing(field);
        if (node is not JsonArray array || array.Any(e => e?.GetValueKind() != JsonValueKind.String))
            throw Invalid(field, $"{node.ToJsonString()} is not a list of strings");
        return [.. array.Select(e => e!.GetValue<string>())];
    }

    /// <summary>Token ids as Hugging Face writes them (eos_token_id): one id or a list of ids; empty when the field is absent.</summary>
    public IReadOnlyList<int> TokenIds(string field) => root[field] switch
    {
        null => [],
        JsonArray list => [.. list.Select(id => TokenId(field, id))],
        var id => [TokenId(field, id)],
    };

    int TokenId(string field, JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<int>(out var id) && id >= 0
            ? id
            : throw Invalid(field, $"{node?.ToJsonString() ?? "null"} is not a token id; expected a non-negative integer or a list of them");

    /// <summary>The raw node, for fields whose presence matters more than their type (rope_scaling).</summary>
    public JsonNode? Node(string field) => root[field];

    JsonValue Get(string field, JsonValueKind kind, string expected)
    {
        var node = root[field] ?? throw Missing(field);
        if (node is not JsonValue value || value.GetValueKind() != kind) throw Invalid(field, $"{node.ToJsonString()} is not {expected}");
        return value;
    }

    InvalidDataException Missing(string field) => new($"{Path}: missing field '{field}'.");

    public InvalidDataException Invalid(string field, string problem) => new($"{Path}: field '{field}': {problem}.");

    /// <summary>Writes <paramref name="fields"/> as indented JSON, in the given order, as Hugging Face's tools do.</summary>
    public static void Write(string path, JsonObject fields) =>
        File.WriteAllText(path, fields.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
