using System.Reactive.Linq;
using System.Text;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Ingest;

public static class ParseVideoFramesOperator
{
    /// <summary>
    /// Reads camera frames: the stream id is the message key, format, size, capture time and sequence number are headers
    /// (<see cref="VideoFrame"/>; where a header repeats, the last one counts), the value is the image. A message that is
    /// not a frame is rejected with its reason (its token settles, so the edge dead-letters it) and does not travel further.
    /// </summary>
    public static IObservable<Acked<VideoFrame>> ParseVideoFrames(this IObservable<InputMessage> source, PipelineTelemetry telemetry, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        return source.SelectMany(message =>
        {
            var parsed = Parse(message, maxBytes);
            if (parsed.IsValid) return Observable.Return(new Acked<VideoFrame>(parsed.Value, message.Ack, message.Trace));
            telemetry.InputRejected(message.Key, parsed.Rejection);
            message.Ack.Reject(parsed.Rejection);
            return Observable.Empty<Acked<VideoFrame>>();
        });
    }

    static Parsed<VideoFrame> Parse(InputMessage message, int maxBytes)
    {
        // Frames have no body to name their stream: the key is the stream id, and without one the frame belongs to no stream.
        if (message.Key.Length == 0)
            return Parsed<VideoFrame>.Fail(RejectionReason.MissingField, "the video frame has no key; key it by its stream id (the camera), so that the stream stays in one partition.");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in message.Headers) headers[name] = value is null ? "" : Encoding.UTF8.GetString(value);
        return VideoFrame.Create(message.Key, headers, message.Value, maxBytes);
    }
}
