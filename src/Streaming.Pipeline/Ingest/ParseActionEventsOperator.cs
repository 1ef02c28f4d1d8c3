using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Ingest;

public static class ParseActionEventsOperator
{
    /// <summary>
    /// Parses action-event JSON messages against the model's <paramref name="labels"/>. A message that does not parse is
    /// rejected with its reason (its token settles, so the edge dead-letters it) and does not travel further.
    /// </summary>
    public static IObservable<Acked<ActionEvent>> ParseActionEvents(this IObservable<InputMessage> source, IReadOnlySet<string> labels, PipelineTelemetry telemetry,
        int maxBytes = ActionEventJson.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        return source.SelectMany(message =>
        {
            var parsed = KeyMismatch.Check(ActionEventJson.Parse(message.Value.Span, labels, maxBytes), message.Key);
            if (parsed.IsValid) return Observable.Return(new Acked<ActionEvent>(parsed.Value, message.Ack, message.Trace));
            telemetry.InputRejected(message.Key, parsed.Rejection);
            message.Ack.Reject(parsed.Rejection);
            return Observable.Empty<Acked<ActionEvent>>();
        });
    }
}
