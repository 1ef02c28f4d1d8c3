using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Streaming.Pipeline.Contracts;

/// <summary>
/// Reads and writes skeleton JSON (schemas/skeleton-frame.v1.schema.json):
/// <c>{"schema":1,"stream":"cam-1","time":"2026-01-01T00:00:00Z","seq":7,"layout":"kinect20","joints":[[x,y,z,c],...]}</c>.
/// Reading never throws: a bad message becomes a <see cref="Rejection"/> with its reason.
/// </summary>
public static class SkeletonFrameJson
{
    /// <summary>The largest accepted message; an ntu25 frame is about 2 KB, so 64 KiB leaves room without letting a stray blob in.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    public static Parsed<SkeletonFrame> Parse(ReadOnlySpan<byte> utf8, int maxBytes = DefaultMaxBytes)
    {
        if (utf8.Length > maxBytes)
            return Parsed<SkeletonFrame>.Fail(RejectionReason.Oversized, $"skeleton message is {utf8.Length} bytes, over the limit of {maxBytes}.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException e)
        {
            // Python's json.dumps writes NaN and Infinity as bare words, which are not JSON: say so specifically.
            var text = Encoding.UTF8.GetString(utf8);
            if (text.Contains("NaN", StringComparison.Ordinal) || text.Contains("Infinity", StringComparison.Ordinal))
                return Parsed<SkeletonFrame>.Fail(RejectionReason.NonFinite, $"skeleton message contains a bare NaN or Infinity, which JSON cannot carry: {e.Message}");
            return Parsed<SkeletonFrame>.Fail(RejectionReason.NotJson, $"skeleton message is not JSON: {e.Message}");
        }
        using (document)
            return Read(document.RootElement);
    }

    static Parsed<SkeletonFrame> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Fail(RejectionReason.InvalidField, $"skeleton message must be a JSON object, got {root.ValueKind}.");

        if (!root.TryGetProperty("schema", out var schema)) return Missing("schema");
        if (schema.ValueKind != JsonValueKind.Number || !schema.TryGetInt32(out var version))
            return Fail(RejectionReason.SchemaVersion, $"'schema' (the skeleton schema version) must be the integer {SkeletonFrame.SchemaVersion}, got {schema.GetRawText()}.");
        if (version != SkeletonFrame.SchemaVersion)
            return Fail(RejectionReason.SchemaVersion, $"skeleton schema version {version} is not supported; this reader understands version {SkeletonFrame.SchemaVersion}.");

        if (!root.TryGetProperty("stream", out var streamElement)) return Missing("stream");
        if (streamElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(streamElement.GetString()))
            return Fail(RejectionReason.InvalidField, "'stream' must be a non-empty string.");
        var stream = streamElement.GetString()!;

        if (!root.TryGetProperty("time", out var timeElement)) return Missing("time");
        if (timeElement.ValueKind != JsonValueKind.String || !timeElement.TryGetDateTimeOffset(out var time))
            return Fail(RejectionReason.InvalidField, $"'time' must be an ISO 8601 timestamp string with offset, got {timeElement.GetRawText()}.");

        if (!root.TryGetProperty("seq", out var seqElement)) return Missing("seq");
        if (seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var seq) || seq < 0)
            return Fail(RejectionReason.InvalidField, $"'seq' must be a non-negative integer, got {seqElement.GetRawText()}.");

        if (!root.TryGetProperty("layout", out var layoutElement)) return Missing("layout");
        var layoutName = layoutElement.ValueKind == JsonValueKind.String ? layoutElement.GetString()! : layoutElement.GetRawText();
        if (!SkeletonLayout.TryFind(layoutName, out var layout))
            return Fail(RejectionReason.UnknownLayout, $"layout '{layoutName}' is unknown; known layouts: {string.Join(", ", SkeletonLayout.All.Select(l => l.Name))}.");

        if (!root.TryGetProperty("joints", out var jointsElement)) return Missing("joints");
        if (jointsElement.ValueKind != JsonValueKind.Array)
            return Fail(RejectionReason.InvalidField, "'joints' must be an array of [x, y, z, confidence] arrays.");
        int count = jointsElement.GetArrayLength();
        if (count != layout.JointCount)
            return Fail(RejectionReason.JointCount, $"layout {layout.Name} has {layout.JointCount} joints, the message has {count}.");

        var joints = new float[count * SkeletonFrame.ValuesPerJoint];
        int j = 0;
        foreach (var joint in jointsElement.EnumerateArray())
        {
            if (joint.ValueKind != JsonValueKind.Array || joint.GetArrayLength() != SkeletonFrame.ValuesPerJoint)
                return Fail(RejectionReason.InvalidField, $"joint {j} ({layout.JointNames[j]}) must be [x, y, z, confidence], got {joint.GetRawText()}.");
            int c = 0;
            foreach (var value in joint.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.String && value.GetString() is "NaN" or "Infinity" or "-Infinity")
                    return Fail(RejectionReason.NonFinite, $"joint {j} ({layout.JointNames[j]}) value {c} is {value.GetString()}.");
                if (value.ValueKind != JsonValueKind.Number)
                    return Fail(RejectionReason.InvalidField, $"joint {j} ({layout.JointNames[j]}) value {c} must be a number, got {value.GetRawText()}.");
                var v = (float)value.GetDouble();
                if (!float.IsFinite(v))
                    return Fail(RejectionReason.NonFinite, $"joint {j} ({layout.JointNames[j]}) value {c} ({value.GetRawText()}) does not fit a finite 32-bit float.");
                joints[j * SkeletonFrame.ValuesPerJoint + c++] = v;
            }
            j++;
        }
        return Parsed<SkeletonFrame>.Ok(new SkeletonFrame(stream, time, seq, layout, joints));
    }

    static Parsed<SkeletonFrame> Missing(string field) =>
        Fail(RejectionReason.MissingField, $"skeleton message has no '{field}' field.");

    static Parsed<SkeletonFrame> Fail(RejectionReason reason, string message) => Parsed<SkeletonFrame>.Fail(reason, message);

    /// <summary>Writes a frame as schema-1 skeleton JSON (UTF-8).</summary>
    public static byte[] Serialize(SkeletonFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schema", SkeletonFrame.SchemaVersion);
            w.WriteString("stream", frame.Stream);
            w.WriteString("time", frame.CaptureTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("seq", frame.Sequence);
            w.WriteString("layout", frame.Layout.Name);
            w.WriteStartArray("joints");
            for (int j = 0; j < frame.Layout.JointCount; j++)
            {
                w.WriteStartArray();
                foreach (var v in frame.Joint(j)) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
