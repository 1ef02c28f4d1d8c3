using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Streaming.Pipeline.Contracts;

/// <summary>
/// Reads and writes action-event JSON (schemas/action-event.v1.schema.json):
/// <c>{"schema":1,"stream":"salad-1","time":"2026-01-01T00:00:00Z","label":"cut_tomato","confidence":0.93}</c>.
/// Reading never throws: a bad message becomes a <see cref="Rejection"/> with its reason, as for skeletons; a label
/// the model does not know is <c>unknown-label</c>.
/// </summary>
public static class ActionEventJson
{
    /// <summary>The largest accepted message: an event is under 200 bytes, so 4 KiB leaves room for long labels and stream ids.</summary>
    public const int DefaultMaxBytes = 4 * 1024;

    public static Parsed<ActionEvent> Parse(ReadOnlySpan<byte> utf8, IReadOnlySet<string> labels, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (utf8.Length > maxBytes)
            return Fail(RejectionReason.Oversized, $"action event is {utf8.Length} bytes, over the limit of {maxBytes}.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException e)
        {
            var text = Encoding.UTF8.GetString(utf8);
            if (text.Contains("NaN", StringComparison.Ordinal) || text.Contains("Infinity", StringComparison.Ordinal))
                return Fail(RejectionReason.NonFinite, $"action event contains a bare NaN or Infinity, which JSON cannot carry: {e.Message}");
            return Fail(RejectionReason.NotJson, $"action event is not JSON: {e.Message}");
        }
        using (document)
            return Read(document.RootElement, labels);
    }

    static Parsed<ActionEvent> Read(JsonElement root, IReadOnlySet<string> labels)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Fail(RejectionReason.InvalidField, $"action event must be a JSON object, got {root.ValueKind}.");

        if (!root.TryGetProperty("schema", out var schema)) return Missing("schema");
        if (schema.ValueKind != JsonValueKind.Number || !schema.TryGetInt32(out var version))
            return Fail(RejectionReason.SchemaVersion, $"'schema' (the action-event schema version) must be the integer {ActionEvent.SchemaVersion}, got {schema.GetRawText()}.");
        if (version != ActionEvent.SchemaVersion)
            return Fail(RejectionReason.SchemaVersion, $"action-event schema version {version} is not supported; this reader understands version {ActionEvent.SchemaVersion}.");

        if (!root.TryGetProperty("stream", out var streamElement)) return Missing("stream");
        if (streamElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(streamElement.GetString()))
            return Fail(RejectionReason.InvalidField, "'stream' must be a non-empty string.");

        if (!root.TryGetProperty("time", out var timeElement)) return Missing("time");
        if (timeElement.ValueKind != JsonValueKind.String || !timeElement.TryGetDateTimeOffset(out var time))
            return Fail(RejectionReason.InvalidField, $"'time' must be an ISO 8601 timestamp string with offset, got {timeElement.GetRawText()}.");

        if (!root.TryGetProperty("label", out var labelElement)) return Missing("label");
        if (labelElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(labelElement.GetString()))
            return Fail(RejectionReason.InvalidField, $"'label' must be a non-empty string, got {labelElement.GetRawText()}.");
        var label = labelElement.GetString()!;
        if (!labels.Contains(label))
            return Fail(RejectionReason.UnknownLabel, $"label '{label}' is not an action the model knows ({labels.Count} actions: {string.Join(", ", labels.Order(StringComparer.Ordinal))}).");

        double? confidence = null;
        if (root.TryGetProperty("confidence", out var confidenceElement) && confidenceElement.ValueKind != JsonValueKind.Null)
        {
            if (confidenceElement.ValueKind == JsonValueKind.String && confidenceElement.GetString() is "NaN" or "Infinity" or "-Infinity")
                return Fail(RejectionReason.NonFinite, $"'confidence' is {confidenceElement.GetString()}.");
            if (confidenceElement.ValueKind != JsonValueKind.Number)
                return Fail(RejectionReason.InvalidField, $"'confidence' must be a number in [0, 1], got {confidenceElement.GetRawText()}.");
            var c = confidenceElement.GetDouble();
            if (!double.IsFinite(c)) return Fail(RejectionReason.NonFinite, $"'confidence' ({confidenceElement.GetRawText()}) is not finite.");
            if (c is < 0 or > 1) return Fail(RejectionReason.InvalidField, $"'confidence' must be in [0, 1], got {confidenceElement.GetRawText()}.");
            confidence = c;
        }
        return Parsed<ActionEvent>.Ok(new ActionEvent(streamElement.GetString()!, time, label, confidence));
    }

    static Parsed<ActionEvent> Missing(string field) => Fail(RejectionReason.MissingField, $"action event has no '{field}' field.");

    static Parsed<ActionEvent> Fail(RejectionReason reason, string message) => Parsed<ActionEvent>.Fail(reason, message);

    /// <summary>Writes an event as schema-1 action-event JSON (UTF-8); the confidence only when it has one.</summary>
    public static byte[] Serialize(ActionEvent action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schema", ActionEvent.SchemaVersion);
            w.WriteString("stream", action.Stream);
            w.WriteString("time", action.Time.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("label", action.Label);
            if (action.Confidence is { } c) w.WriteNumber("confidence", c);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
