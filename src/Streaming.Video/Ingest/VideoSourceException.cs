namespace Streaming.Video.Ingest;

/// <summary>A video source cannot be read: it does not exist, its address is not one ffmpeg is asked to open, or ffmpeg failed on it.</summary>
public sealed class VideoSourceException(string message) : Exception(message);
