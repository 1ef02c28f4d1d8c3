namespace Streaming.Video.Tfjs;

/// <summary>
/// How a TF.js tensor of a one-frame graph is held in the ONNX graph, which runs N frames at once (the importer
/// vectorizes the graph over a leading frame axis the way <c>jax.vmap</c> does).
/// </summary>
internal enum FrameLayout
{
    /// <summary>Does not depend on the frame: the ONNX tensor is the TF tensor.</summary>
    Constant,

    /// <summary>ONNX shape <c>[N] ++ S</c> for TF shape <c>S</c>.</summary>
    Framed,

    /// <summary>TF shape <c>[1] ++ S</c> (TensorFlow's batch of one) held as <c>[N] ++ S</c>: the frame axis takes the unit batch's place.</summary>
    Merged,

    /// <summary>TF shape <c>[1, H, W, C]</c> held as <c>[N, C, H, W]</c>, the layout ONNX convolutions need.</summary>
    MergedNchw,
}
