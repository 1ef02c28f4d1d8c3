using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Windowing;

public static class ActionWindowOperator
{
    /// <summary>
    /// Cuts the events of one action-label stream into observation windows (see <see cref="ActionWindowBuilder"/>).
    /// The clock for the future-timestamp check is <paramref name="scheduler"/>'s. On completion or error the events
    /// still waiting for a window are settled, unless <paramref name="handoff"/> ended the stream (its new owner reads them again).
    /// </summary>
    public static IObservable<Observation> ToActionObservations(this IObservable<Acked<ActionEvent>> source, string stream, ActionWindowOptions options,
        IScheduler scheduler, PipelineTelemetry telemetry, StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        return Observable.Create<Observation>(observer =>
        {
            var builder = new ActionWindowBuilder(stream, options, telemetry);
            return source.Subscribe(
                e => { foreach (var w in builder.Accept(e, scheduler.Now)) observer.OnNext(w); },
                error =>
                {
                    builder.Complete();
                    observer.OnError(error);
                },
                () =>
                {
                    if (handoff?.IsHandingOff(stream) != true) builder.Complete();
                    observer.OnCompleted();
                });
        });
    }

    /// <summary>Groups events by stream with idle expiry (an expired stream's next event starts a new activity) and windows each stream.</summary>
    /// <param name="handoff">Ends the state of streams whose input moved elsewhere, without settling it; null: streams end only when idle.</param>
    public static IObservable<Observation> WindowActionsPerStream(this IObservable<Acked<ActionEvent>> source, ActionWindowOptions options, IScheduler scheduler, PipelineTelemetry telemetry,
        StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return source.GroupByStream(e => e.Stream, options.IdleTimeout, scheduler, telemetry, handoff)
            .SelectMany(group => group.ToActionObservations(group.Key, options, scheduler, telemetry, handoff));
    }
}
