using Microsoft.Extensions.Logging;

namespace Streaming.Pipeline.Telemetry;

/// <summary>The pipeline's log messages (source-generated, no formatting cost when the level is off).</summary>
static partial class PipelineLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "stream {Stream}: input rejected ({Reason}): {Detail}")]
    public static partial void InputRejected(ILogger logger, string stream, string reason, string detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "stream {Stream}: window {WindowId} dropped ({Reason}): {Detail}")]
    public static partial void WindowDropped(ILogger logger, string stream, long windowId, string reason, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stream {Stream}: idle, its window state expired")]
    public static partial void StreamExpired(ILogger logger, string stream);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "stream {Stream}: handed off (its input moved to another consumer), its window state dropped unsettled")]
    public static partial void StreamHandedOff(ILogger logger, string stream);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "model {ModelId} failed on a batch of {Size} windows")]
    public static partial void ModelFailed(ILogger logger, Exception exception, string modelId, int size);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "frame analyzer {AnalyzerId} failed on a batch of {Size} frames")]
    public static partial void AnalyzerFailed(ILogger logger, Exception exception, string analyzerId, int size);
}
