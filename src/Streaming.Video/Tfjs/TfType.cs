namespace Streaming.Video.Tfjs;

/// <summary>The TensorFlow element types the importer translates.</summary>
internal enum TfType
{
    Float32,
    Int32,
    Float64,
}
