using Microsoft.Extensions.Logging;

namespace Streaming.Video.Ingest;

/// <summary>The video sources' log messages (source-generated, no formatting cost when the level is off).</summary>
static partial class VideoSourceLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "stream {Stream}: source {Source} {Reason}; reconnecting in {DelayMs} ms (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, string stream, string source, string reason, long delayMs, int attempt);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "stream {Stream}: source {Source} back after a gap of {GapMs} ms: {Missed} frames missed at {Fps:0.##} fps, sequence jumps from {LastSequence} to {Sequence}")]
    public static partial void Resumed(ILogger logger, string stream, string source, long gapMs, long missed, double fps, long lastSequence, long sequence);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "stream {Stream}: reading {Source} ({Kind})")]
    public static partial void Opening(ILogger logger, string stream, string source, VideoSourceKind kind);
}
