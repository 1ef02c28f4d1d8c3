using System.Reactive.Concurrency;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>Ends a window once: published (its frames contributed) or dropped (its frames lose this holder, with the reason).</summary>
sealed class WindowSettlement(Observation window, PipelineTelemetry telemetry, IScheduler clock)
{
    int _settled;

    public Observation Window { get; } = window;

    public void Publish() => Settle(contributed: true, rejection: null, "published");

    public void Drop(Rejection rejection)
    {
        telemetry.WindowDropped(Window.Stream, Window.WindowId, rejection);
        Settle(contributed: false, rejection, rejection.Code);
    }

    void Settle(bool contributed, Rejection? rejection, string outcome)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1) throw new InvalidOperationException($"stream {Window.Stream} window {Window.WindowId} was already settled.");
        foreach (var ack in Window.Acks)
            if (ack.Release(contributed, rejection) is { Contributed: false, Rejection: { } reason })
                telemetry.FrameDropped(reason);
        telemetry.WindowSpan(Window.Stream, Window.WindowId, Window.Frames.Count, Window.FormedAt, clock.Now, outcome);
    }
}
