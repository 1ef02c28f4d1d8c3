using System.Diagnostics;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// The window state of one action-label stream: its action history (each event's label holds until the next event;
/// consecutive events of one label make one segment, whose probability is the mean of their confidences, 1 where none
/// is given) and the events not yet in a window. Every <see cref="ActionWindowOptions.EventsPerWindow"/> accepted
/// events form a window that holds exactly those events and carries the history up to the newest. Events that cannot
/// be placed are rejected with their reason: <c>future-timestamp</c> (beyond the clock plus the allowed skew),
/// <c>duplicate</c> (the same time as the stream's previous event), <c>late</c> (before it: out of order),
/// <c>incomplete-window</c> (the stream ended before the event's window filled).
/// </summary>
/// <remarks>Not thread-safe: one builder per stream, fed by one serialized sequence.</remarks>
public sealed class ActionWindowBuilder
{
    readonly string _stream;
    readonly ActionWindowOptions _options;
    readonly PipelineTelemetry _telemetry;
    readonly List<ActionSegment> _segments = [];
    readonly List<Acked<ActionEvent>> _pending = [];
    DateTimeOffset? _activityStart;
    DateTimeOffset? _last;
    double _confidenceSum;
    int _confidenceCount;
    long _nextWindowId;

    public ActionWindowBuilder(string stream, ActionWindowOptions options, PipelineTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        (_stream, _options, _telemetry) = (stream, options, telemetry);
    }

    /// <summary>Takes one event at clock time <paramref name="now"/>; returns the window it completes, if any.</summary>
    public IReadOnlyList<Observation> Accept(Acked<ActionEvent> input, DateTimeOffset now)
    {
        var e = input.Value;
        if (e.Time > now + _options.MaxFutureSkew)
            return Reject(input, RejectionReason.FutureTimestamp,
                $"event time {e.Time:O} ({e.Label}) is {(e.Time - now).TotalSeconds:F1} s ahead of the clock ({now:O}); at most {_options.MaxFutureSkew.TotalSeconds:F1} s is allowed.");
        if (e.Time == _last)
            return Reject(input, RejectionReason.Duplicate, $"the stream's previous event has the same time {e.Time:O}; event times must increase.");
        if (e.Time < _last)
            return Reject(input, RejectionReason.Late, $"event time {e.Time:O} ({e.Label}) is out of order: the stream's previous event is at {_last:O}.");

        _telemetry.FrameAccepted();
        Extend(e);
        _pending.Add(input);
        return _pending.Count < _options.EventsPerWindow ? [] : [Emit(now)];
    }

    /// <summary>The stream ended or expired: events still waiting for their window are rejected as incomplete.</summary>
    public void Complete()
    {
        foreach (var pending in _pending)
            Reject(pending.Ack, new Rejection(RejectionReason.IncompleteWindow,
                $"event at {pending.Value.Time:O} ({pending.Value.Label}): the stream went idle or ended before its window of {_options.EventsPerWindow} events filled."));
        _pending.Clear();
    }

    void Extend(ActionEvent e)
    {
        _activityStart ??= e.Time;
        _last = e.Time;
        double confidence = e.Confidence ?? 1;
        if (_segments.Count > 0)
        {
            var last = _segments[^1] with { End = e.Time };
            if (last.Label == e.Label)
            {
                (_confidenceSum, _confidenceCount) = (_confidenceSum + confidence, _confidenceCount + 1);
                _segments[^1] = last with { Probability = _confidenceSum / _confidenceCount };
                return;
            }
            _segments[^1] = last;
        }
        (_confidenceSum, _confidenceCount) = (confidence, 1);
        _segments.Add(new ActionSegment(e.Label, e.Time, e.Time, confidence));
        if (_segments.Count > _options.MaxSegments) _segments.RemoveAt(0);
    }

    Observation Emit(DateTimeOffset now)
    {
        var acks = new AckToken[_pending.Count];
        var traces = new ActivityContext[_pending.Count];
        for (int i = 0; i < _pending.Count; i++)
        {
            // The window takes over the builder's hold: the event belongs to this window only.
            _pending[i].Ack.Hold();
            _pending[i].Ack.Release(contributed: false, rejection: null);
            acks[i] = _pending[i].Ack;
            traces[i] = _pending[i].Trace;
        }
        _telemetry.WindowFormed();
        long id = _nextWindowId++;
        var window = new Observation(_stream, id, _pending[0].Value.Time, _pending[^1].Value.Time, [], acks, now)
        {
            History = new ActionHistory(_activityStart!.Value, [.. _segments]),
            Span = PipelineTelemetry.StartWindowSpan(_stream, id, traces, now),
        };
        _pending.Clear();
        return window;
    }

    IReadOnlyList<Observation> Reject(Acked<ActionEvent> input, RejectionReason reason, string message)
    {
        Reject(input.Ack, new Rejection(reason, message));
        return [];
    }

    void Reject(AckToken ack, Rejection rejection)
    {
        _telemetry.InputRejected(_stream, rejection);
        ack.Reject(rejection);
    }
}
