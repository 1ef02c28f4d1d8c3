using System.Reactive.Linq;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;

namespace Streaming.Pipeline.Results;

public static class SinkOperator
{
    /// <summary>
    /// Publishes each output synchronously, then acknowledges its window (at-least-once: a publish that
    /// throws fails the sequence and leaves the window's frames unacknowledged, to be redelivered).
    /// An asynchronous sink (Kafka) calls <see cref="PendingOutput.Acknowledge"/> from its delivery report instead.
    /// </summary>
    public static IObservable<ActionPrediction> SinkTo(this IObservable<PendingOutput> source, Action<ActionPrediction> publish)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(publish);
        return source.Select(output =>
        {
            publish(output.Prediction);
            output.Acknowledge();
            return output.Prediction;
        });
    }
}
