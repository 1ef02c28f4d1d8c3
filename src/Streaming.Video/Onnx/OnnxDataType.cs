namespace Streaming.Video.Onnx;

/// <summary>ONNX's <c>TensorProto.DataType</c> values for the element types the importer writes.</summary>
public enum OnnxDataType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Double = 11,
}
