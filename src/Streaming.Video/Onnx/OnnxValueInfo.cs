namespace Streaming.Video.Onnx;

/// <summary>A graph input or output: name, element type and shape, where a dimension of -1 is the symbolic frame count "N".</summary>
internal sealed record OnnxValueInfo(string Name, OnnxDataType Type, long[] Dims)
{
    public const string FrameDim = "N";

    // ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1. TypeProto.Tensor: elem_type = 1, shape = 2.
    // TensorShapeProto: dim = 1. Dimension: dim_value = 1, dim_param = 2.
    public void Write(ProtoWriter w)
    {
        w.String(1, Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, (int)Type);
            tensor.Message(2, shape =>
            {
                foreach (var d in Dims)
                    shape.Message(1, dim =>
                    {
                        if (d < 0) dim.String(2, FrameDim);
                        else dim.Varint(1, d);
                    });
            });
        }));
    }
}
