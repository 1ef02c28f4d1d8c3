using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Windowing;

public static class StreamGroupingOperator
{
    /// <summary>
    /// Splits frames by stream id. A group ends when its stream has been silent for
    /// <paramref name="idleTimeout"/> (on <paramref name="scheduler"/>'s clock); a later frame of that
    /// stream opens a fresh group, so streams come and go without a restart.
    /// </summary>
    public static IObservable<IGroupedObservable<string, Acked<SkeletonFrame>>> GroupByStream(this IObservable<Acked<SkeletonFrame>> source, TimeSpan idleTimeout, IScheduler scheduler, PipelineTelemetry telemetry) =>
        source.GroupByStream(frame => frame.Stream, idleTimeout, scheduler, telemetry);

    /// <summary>
    /// Splits inputs of any kind by <paramref name="streamOf"/>, with the same idle expiry; a group also ends when
    /// <paramref name="handoff"/> hands its stream off.
    /// </summary>
    public static IObservable<IGroupedObservable<string, Acked<T>>> GroupByStream<T>(this IObservable<Acked<T>> source, Func<T, string> streamOf, TimeSpan idleTimeout, IScheduler scheduler,
        PipelineTelemetry telemetry, StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(streamOf);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleTimeout, TimeSpan.Zero);
        return source.GroupByUntil(
            input => streamOf(input.Value),
            group =>
            {
                // A group that ends by handoff completes its Throttle too, which then lets its last input through: not an expiry.
                var idle = group.Throttle(idleTimeout, scheduler).Take(1)
                    .Do(_ => { if (handoff?.IsHandingOff(group.Key) != true) PipelineLog.StreamExpired(telemetry.Logger, group.Key); }).Select(_ => Unit.Default);
                return handoff is null ? idle
                    : idle.Merge(handoff.Of(group.Key).Do(_ => PipelineLog.StreamHandedOff(telemetry.Logger, group.Key)).Select(_ => Unit.Default)).Take(1);
            });
    }

    /// <summary>Groups by stream with idle expiry and cuts each stream into observation windows.</summary>
    /// <param name="handoff">Ends the state of streams whose input moved elsewhere, without settling it; null: streams end only when idle.</param>
    public static IObservable<Observation> WindowPerStream(this IObservable<Acked<SkeletonFrame>> source, WindowOptions options, IScheduler scheduler, PipelineTelemetry telemetry,
        StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return source.GroupByStream(frame => frame.Stream, options.IdleTimeout, scheduler, telemetry, handoff)
            .SelectMany(group => group.ToObservations(group.Key, options, scheduler, telemetry, handoff));
    }
}
