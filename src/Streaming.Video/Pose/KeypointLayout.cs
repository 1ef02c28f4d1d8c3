namespace Streaming.Video.Pose;

/// <summary>What the 17 triples of a pose model's keypoint output hold (the output is [N, 17, 3] or [N, 1, 17, 3]).</summary>
public enum KeypointLayout
{
    /// <summary>"yxs": y, x in 0..1 of the model input, then the score (MoveNet).</summary>
    YxScoreNormalized,

    /// <summary>"xys": x, y in pixels of the model input, then the score (decoded RTMPose or YOLO-pose exports).</summary>
    XyScorePixels,
}
