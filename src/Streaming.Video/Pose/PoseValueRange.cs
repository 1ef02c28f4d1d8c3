namespace Streaming.Video.Pose;

/// <summary>The RGB values a pose model expects.</summary>
public enum PoseValueRange
{
    /// <summary>0..255 (MoveNet; the only range for int32 and uint8 inputs).</summary>
    Bytes,

    /// <summary>0..1, for float inputs.</summary>
    Unit,
}
