using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Ingest;

public static class ParseSkeletonsOperator
{
    /// <summary>
    /// Parses skeleton JSON messages. A message that does not parse is rejected with its reason (its token
    /// settles, so the edge dead-letters it) and does not travel further.
    /// </summary>
    public static IObservable<Acked<SkeletonFrame>> ParseSkeletons(this IObservable<InputMessage> source, PipelineTelemetry telemetry, int maxBytes = SkeletonFrameJson.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        return source.SelectMany(message =>
        {
            var parsed = KeyMismatch.Check(SkeletonFrameJson.Parse(message.Value.Span, maxBytes), message.Key);
            if (parsed.IsValid) return Observable.Return(new Acked<SkeletonFrame>(parsed.Value, message.Ack, message.Trace));
            telemetry.InputRejected(message.Key, parsed.Rejection);
            message.Ack.Reject(parsed.Rejection);
            return Observable.Empty<Acked<SkeletonFrame>>();
        });
    }
}
