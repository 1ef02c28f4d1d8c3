using System.Text;

namespace Streaming.Video.Onnx;

/// <summary>
/// The protobuf wire format, as much of it as the importer's ONNX messages need: varints (wire type 0) and
/// length-delimited bytes, strings and nested messages (type 2). Fields are written in the order they are called.
/// </summary>
internal sealed class ProtoWriter
{
    readonly MemoryStream buffer = new();

    public void Varint(int field, long value)
    {
        Tag(field, 0);
        RawVarint((ulong)value); // negative int64s take ten bytes, as protobuf's two's-complement encoding says
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        RawVarint((ulong)value.Length);
        buffer.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.buffer.GetBuffer().AsSpan(0, (int)inner.buffer.Length));
    }

    public byte[] ToArray() => buffer.ToArray();

    void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }
}
