namespace Streaming.Video.Pose;

/// <summary>The order of a pose model's image input.</summary>
public enum PoseInputLayout
{
    /// <summary>[N, H, W, 3] (TensorFlow's, MoveNet's).</summary>
    Nhwc,

    /// <summary>[N, 3, H, W] (PyTorch exports: RTMPose, YOLO-pose).</summary>
    Nchw,
}
