using System.Diagnostics;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// The window state of one stream: a bounded reorder buffer keyed by sequence number, then the frames
/// of the window being built. Frames that cannot be placed are rejected with their reason:
/// <c>future-timestamp</c> (capture time beyond the clock plus the allowed skew), <c>duplicate</c>
/// (a sequence number seen before), <c>late</c> (behind what the reorder buffer already released, or
/// before the current window's start), <c>incomplete-window</c> (the stream ended before the frame's window filled, or,
/// for windows counted in frames, the frame comes before the stream's first window boundary).
/// It also keeps what the model stage remembers of the stream, so that it lives exactly as long as the stream's group:
/// the take so far (<see cref="SkeletonTake"/>) and the recognition history (<see cref="RecognitionHistory"/>), both on
/// every window it emits.
/// </summary>
/// <remarks>Not thread-safe: one builder per stream, fed by one serialized sequence.</remarks>
public sealed class StreamWindowBuilder
{
    /// <summary>Sequence numbers remembered after release for duplicate detection; older repeats read as late.</summary>
    const int ReleasedMemory = 4096;

    readonly string _stream;
    readonly WindowOptions _options;
    readonly PipelineTelemetry _telemetry;
    readonly SortedDictionary<long, (Acked<SkeletonFrame> Frame, DateTimeOffset Received)> _reorder = [];
    readonly HashSet<long> _released = [];
    readonly Queue<long> _releasedOrder = new();
    readonly List<Pending> _window = [];
    readonly TakeRecorder _take = new();
    readonly RecognitionHistory _recognitions = new();
    long? _lastReleased;
    DateTimeOffset? _windowStart;
    long _nextWindowId;
    bool _onGrid;

    /// <summary>
    /// A frame held by the builder, with its positions and the clock time it reached the builder; <see cref="Windowed"/> once
    /// it has been part of an emitted window.
    /// </summary>
    sealed class Pending(Acked<SkeletonFrame> frame, DateTimeOffset received)
    {
        public Acked<SkeletonFrame> Frame { get; } = frame;
        public DateTimeOffset Received { get; } = received;
        public float[] Positions { get; } = frame.Value.Positions();
        public bool Windowed { get; set; }
    }

    public StreamWindowBuilder(string stream, WindowOptions options, PipelineTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        _stream = stream;
        _options = options;
        _telemetry = telemetry;
    }

    /// <summary>Takes one frame at clock time <paramref name="now"/>; returns the windows it completes (often none).</summary>
    public IReadOnlyList<Observation> Accept(Acked<SkeletonFrame> input, DateTimeOffset now)
    {
        var frame = input.Value;
        if (frame.Missing is { } missing)
        {
            // Counted where it was rejected, settled now; where its sequence number is still awaited, it holds that place
            // in the reorder buffer so that the frames after it need not wait for it.
            input.Ack.Reject(missing);
            if (Received(frame.Sequence) || frame.Sequence <= _lastReleased) return [];
            _reorder.Add(frame.Sequence, (input, now));
            return ReleaseInOrder(now);
        }
        if (frame.CaptureTime > now + _options.MaxFutureSkew)
            return Reject(input, RejectionReason.FutureTimestamp,
                $"capture time {frame.CaptureTime:O} of seq {frame.Sequence} is {(frame.CaptureTime - now).TotalSeconds:F1} s ahead of the clock ({now:O}); at most {_options.MaxFutureSkew.TotalSeconds:F1} s is allowed.");
        if (Received(frame.Sequence))
            return Reject(input, RejectionReason.Duplicate, $"sequence number {frame.Sequence} was already received.");
        if (frame.Sequence <= _lastReleased)
            return Reject(input, RejectionReason.Late,
                $"seq {frame.Sequence} arrived after seq {_lastReleased} was released; the reorder buffer holds {_options.ReorderBound} frames.");

        _telemetry.FrameAccepted();
        _reorder.Add(frame.Sequence, (input, now));
        return ReleaseInOrder(now);
    }

    /// <summary>Whether sequence number <paramref name="seq"/> came before: waiting in the reorder buffer, or released and still remembered.</summary>
    bool Received(long seq) => _reorder.ContainsKey(seq) || _released.Contains(seq);

    /// <summary>Releases the reorder buffer in sequence order; a gap is given up on once the buffer is over its bound.</summary>
    List<Observation> ReleaseInOrder(DateTimeOffset now)
    {
        var windows = new List<Observation>();
        while (_reorder.Count > 0)
        {
            var (seq, (next, received)) = _reorder.First();
            if (seq != _lastReleased + 1 && _reorder.Count <= _options.ReorderBound) break;
            _reorder.Remove(seq);
            Remember(seq);
            Place(next, received, now, windows);
        }
        return windows;
    }

    /// <summary>The stream ended or expired: flushes the reorder buffer and settles every frame still held.</summary>
    public IReadOnlyList<Observation> Complete(DateTimeOffset now)
    {
        var windows = new List<Observation>();
        foreach (var (seq, (next, received)) in _reorder)
        {
            Remember(seq);
            Place(next, received, now, windows);
        }
        _reorder.Clear();
        foreach (var pending in _window)
        {
            if (pending.Windowed)
                pending.Frame.Ack.Release(contributed: false, rejection: null);
            else
                Reject(pending.Frame.Ack, new Rejection(RejectionReason.IncompleteWindow,
                    $"seq {pending.Frame.Value.Sequence}: the stream went idle or ended before its window filled."));
        }
        _window.Clear();
        return windows;
    }

    void Remember(long seq)
    {
        _lastReleased = seq;
        _released.Add(seq);
        _releasedOrder.Enqueue(seq);
        if (_releasedOrder.Count > ReleasedMemory) _released.Remove(_releasedOrder.Dequeue());
    }

    void Place(Acked<SkeletonFrame> input, DateTimeOffset received, DateTimeOffset now, List<Observation> windows)
    {
        if (input.Value.Missing is not null) return;              // settled when it arrived
        if (_options.Unit == WindowUnit.Frames) PlaceByCount(input, received, now, windows);
        else PlaceByTime(input, received, now, windows);
    }

    /// <remarks>
    /// Windows start on the hop grid of sequence numbers (0, hop, 2 hop, ...) and are numbered by it, so that a stream
    /// picked up mid-way, as a restart replays it from the last committed offset, is cut into the same windows with the
    /// same ids as before: repeats are recognizable by (stream, window id). Frames before the first grid point reached
    /// here were settled by the run that read them before; this one can only reject them as incomplete.
    /// </remarks>
    void PlaceByCount(Acked<SkeletonFrame> input, DateTimeOffset received, DateTimeOffset now, List<Observation> windows)
    {
        var seq = input.Value.Sequence;
        if (!_onGrid)
        {
            if (seq % _options.HopFrames != 0)
            {
                Reject(input, RejectionReason.IncompleteWindow,
                    $"seq {seq} comes before the stream's first window boundary here (a multiple of the hop, {_options.HopFrames}): the stream was picked up mid-way.");
                return;
            }
            _onGrid = true;
        }
        _window.Add(new Pending(input, received));
        if (_window.Count < _options.LengthFrames) return;
        windows.Add(Emit(_window, _window[0].Frame.Value.CaptureTime, _window[^1].Frame.Value.CaptureTime, _window[0].Frame.Value.Sequence / _options.HopFrames, now));
        Slide(_options.HopFrames);
    }

    void PlaceByTime(Acked<SkeletonFrame> input, DateTimeOffset received, DateTimeOffset now, List<Observation> windows)
    {
        var t = input.Value.CaptureTime;
        _windowStart ??= t;
        if (t < _windowStart)
        {
            Reject(input, RejectionReason.Late, $"capture time {t:O} of seq {input.Value.Sequence} is before the stream's current window, which starts at {_windowStart:O}.");
            return;
        }
        while (t >= _windowStart + _options.Length)
        {
            if (_window.Count == 0)
            {
                // A gap in the stream: jump to the first window that holds t instead of stepping through empty ones.
                long hops = (t - _windowStart.Value - _options.Length).Ticks / _options.Hop.Ticks + 1;
                _windowStart += TimeSpan.FromTicks(hops * _options.Hop.Ticks);
                break;
            }
            var start = _windowStart.Value;
            var end = start + _options.Length;
            var members = _window.Where(p => p.Frame.Value.CaptureTime < end).ToList();
            if (members.Count > 0) windows.Add(Emit(members, start, end, _nextWindowId++, now));
            _windowStart = start + _options.Hop;
            Slide(_window.TakeWhile(p => p.Frame.Value.CaptureTime < _windowStart).Count());
        }
        _window.Add(new Pending(input, received));
    }

    Observation Emit(List<Pending> members, DateTimeOffset start, DateTimeOffset end, long windowId, DateTimeOffset now)
    {
        var frames = new SkeletonFrame[members.Count];
        var acks = new AckToken[members.Count];
        var traces = new ActivityContext[members.Count];
        var newest = members[0];
        for (int i = 0; i < members.Count; i++)
        {
            if (members[i].Frame.Value.CaptureTime > newest.Frame.Value.CaptureTime) newest = members[i];
            if (!members[i].Windowed) _take.Add(members[i].Frame.Value.CaptureTime, members[i].Frame.Value.Layout, members[i].Positions);
            members[i].Windowed = true;
            members[i].Frame.Ack.Hold();
            frames[i] = members[i].Frame.Value;
            acks[i] = members[i].Frame.Ack;
            traces[i] = members[i].Frame.Trace;
        }
        _telemetry.WindowFormed();
        return new Observation(_stream, windowId, start, end, frames, acks, now)
        {
            Positions = Positions(members),
            Take = _take.AsOf(end),
            Recognitions = _recognitions,
            LastReceivedAt = newest.Received,
            Span = PipelineTelemetry.StartWindowSpan(_stream, windowId, traces, now),
        };
    }

    /// <summary>The window's positions, (frames, joints, 3); null when its frames do not share one layout.</summary>
    static SkeletonSequence? Positions(List<Pending> members)
    {
        var layout = members[0].Frame.Value.Layout;
        if (members.Any(m => m.Frame.Value.Layout != layout)) return null;
        int j3 = layout.JointCount * 3;
        var positions = new float[members.Count * j3];
        for (int t = 0; t < members.Count; t++) members[t].Positions.CopyTo(positions, t * j3);
        return new SkeletonSequence(positions, members.Count, layout.JointCount);
    }

    /// <summary>Lets go of the first <paramref name="count"/> frames: the windows that hold them settle them.</summary>
    void Slide(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var pending = _window[i];
            if (pending.Windowed)
                pending.Frame.Ack.Release(contributed: false, rejection: null);
            else
                Reject(pending.Frame.Ack, new Rejection(RejectionReason.IncompleteWindow,
                    $"seq {pending.Frame.Value.Sequence} fell out of the window before any window held it."));
        }
        _window.RemoveRange(0, count);
    }

    IReadOnlyList<Observation> Reject(Acked<SkeletonFrame> input, RejectionReason reason, string message)
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
