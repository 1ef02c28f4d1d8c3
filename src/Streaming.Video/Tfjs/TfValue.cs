namespace Streaming.Video.Tfjs;

/// <summary>
/// A translated TF.js tensor: its ONNX name (null for a weight not yet written as an initializer), how the frame axis
/// is held, its static TensorFlow shape for one frame, and its element type. <see cref="Weight"/> is set for the
/// model's constants, whose values the translation reads (axes, shapes, filters).
/// </summary>
internal sealed record TfValue(string? Onnx, FrameLayout Layout, int[] Shape, TfType Type, TfjsWeight? Weight = null)
{
    public int Rank => Shape.Length;
}
