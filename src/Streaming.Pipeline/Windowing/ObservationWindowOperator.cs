using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Windowing;

public static class ObservationWindowOperator
{
    /// <summary>
    /// Cuts the frames of one stream into observation windows (see <see cref="StreamWindowBuilder"/>).
    /// The clock for the future-timestamp check is <paramref name="scheduler"/>'s. On completion the
    /// frames still held are settled, unless <paramref name="handoff"/> ended the stream (its new owner forms those windows);
    /// on error they are settled too, and the error passes on.
    /// </summary>
    public static IObservable<Observation> ToObservations(this IObservable<Acked<SkeletonFrame>> source, string stream, WindowOptions options, IScheduler scheduler, PipelineTelemetry telemetry,
        StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        return Observable.Create<Observation>(observer =>
        {
            var builder = new StreamWindowBuilder(stream, options, telemetry);
            return source.Subscribe(
                frame => { foreach (var w in builder.Accept(frame, scheduler.Now)) observer.OnNext(w); },
                error =>
                {
                    foreach (var w in builder.Complete(scheduler.Now)) observer.OnNext(w);
                    observer.OnError(error);
                },
                () =>
                {
                    if (handoff?.IsHandingOff(stream) != true)
                        foreach (var w in builder.Complete(scheduler.Now)) observer.OnNext(w);
                    observer.OnCompleted();
                });
        });
    }
}
