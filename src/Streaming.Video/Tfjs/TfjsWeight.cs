namespace Streaming.Video.Tfjs;

/// <summary>A dequantized weight of a TF.js graph model: float32 values or int32 values, with its TensorFlow shape.</summary>
internal sealed record TfjsWeight(string Name, int[] Shape, float[]? Floats, int[]? Ints)
{
    public bool IsFloat => Floats is not null;
}
