namespace Streaming.Video.Onnx;

/// <summary>A node attribute: one int, string or list of ints (the kinds the importer's nodes use).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, string? Text = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, string value) => new(name, Text: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    // AttributeProto: name = 1, i = 3, s = 4, ints = 8, type = 20 (INT = 2, STRING = 3, INTS = 7).
    public void Write(ProtoWriter w)
    {
        w.String(1, Name);
        if (Int is { } i)
        {
            w.Varint(3, i);
            w.Varint(20, 2);
        }
        else if (Text is { } s)
        {
            w.String(4, s);
            w.Varint(20, 3);
        }
        else
        {
            foreach (var v in Ints ?? throw new InvalidOperationException($"attribute '{Name}' has no value")) w.Varint(8, v);
            w.Varint(20, 7);
        }
    }
}
