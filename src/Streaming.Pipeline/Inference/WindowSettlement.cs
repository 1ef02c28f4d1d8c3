using System.Reactive.Concurrency;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// Ends a window once: published (its frames contributed, its end-to-end latency and stages recorded) or dropped (its
/// frames lose this holder, with the reason). Either closes the window's span.
/// </summary>
/// <param name="batch">When the window's batch ran; null for a window dropped before the model saw it.</param>
sealed class WindowSettlement(Observation window, PipelineTelemetry telemetry, IScheduler clock, BatchTimes? batch = null)
{
    int _settled;

    public Observation Window { get; } = window;

    public void Publish()
    {
        var now = clock.Now;
        Settle(contributed: true, rejection: null, "published", now);
        telemetry.OutputAcknowledged(Window, batch, now);
    }

    public void Drop(Rejection rejection)
    {
        telemetry.WindowDropped(Window.Stream, Window.WindowId, rejection);
        Settle(contributed: false, rejection, rejection.Code, clock.Now);
    }

    void Settle(bool contributed, Rejection? rejection, string outcome, DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1) throw new InvalidOperationException($"stream {Window.Stream} window {Window.WindowId} was already settled.");
        foreach (var ack in Window.Acks)
            if (ack.Release(contributed, rejection) is { Contributed: false, Rejection: { } reason })
                telemetry.FrameDropped(reason);
        PipelineTelemetry.EndWindowSpan(Window.Span, now, outcome);
        telemetry.WindowSettled();
    }
}
