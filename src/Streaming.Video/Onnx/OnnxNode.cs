namespace Streaming.Video.Onnx;

/// <summary>One operator of the default ONNX domain; an empty input name is an omitted optional input.</summary>
internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes)
{
    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    public void Write(ProtoWriter w)
    {
        foreach (var i in Inputs) w.String(1, i);
        foreach (var o in Outputs) w.String(2, o);
        w.String(3, Name);
        w.String(4, OpType);
        foreach (var a in Attributes) w.Message(5, a.Write);
    }
}
