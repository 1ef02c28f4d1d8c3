namespace Streaming.Video.Ingest;

/// <summary>What a video source is, which decides its clock and what happens when ffmpeg stops.</summary>
public enum VideoSourceKind
{
    /// <summary>A video file: frames timed by the stream's own timestamps, paced or as fast as possible, looped on request.</summary>
    File,

    /// <summary>A network stream (rtsp://, tcp://, ...): frames timed by the wall clock, reconnected when it ends or stalls.</summary>
    Network,

    /// <summary>A V4L2 camera (/dev/videoN): like a network stream, read through ffmpeg's v4l2 demuxer.</summary>
    Device,
}
