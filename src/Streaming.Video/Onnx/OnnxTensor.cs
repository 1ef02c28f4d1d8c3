using System.Runtime.InteropServices;

namespace Streaming.Video.Onnx;

/// <summary>An initializer: a named constant tensor stored as little-endian <c>raw_data</c>.</summary>
internal sealed record OnnxTensor(string Name, OnnxDataType Type, long[] Dims, byte[] Raw)
{
    public static OnnxTensor Of(string name, long[] dims, float[] values) => new(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static OnnxTensor Of(string name, long[] dims, int[] values) => new(name, OnnxDataType.Int32, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static OnnxTensor Of(string name, long[] dims, long[] values) => new(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
    public void Write(ProtoWriter w)
    {
        foreach (var d in Dims) w.Varint(1, d);
        w.Varint(2, (int)Type);
        w.String(8, Name);
        w.Bytes(9, Raw);
    }
}
