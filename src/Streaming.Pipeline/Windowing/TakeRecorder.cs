using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// Keeps one stream's take so far for its <see cref="StreamWindowBuilder"/>: a frame joins the take when it first enters
/// a window, in sequence order, so each window's <see cref="SkeletonTake"/> ends with it, whichever windows the model
/// stage later drops.
/// </summary>
/// <remarks>Not thread-safe: one per stream, used by its builder only.</remarks>
sealed class TakeRecorder
{
    readonly Queue<ReadOnlyMemory<float>> _frames = new();
    DateTimeOffset _start, _last;
    SkeletonLayout _layout = SkeletonLayout.Kinect20;

    public void Add(DateTimeOffset captureTime, SkeletonLayout layout, ReadOnlyMemory<float> positions)
    {
        if (_frames.Count == 0 || captureTime - _last > SkeletonTake.NewTakeGap || layout != _layout)
        {
            _frames.Clear();
            _start = captureTime;
            _layout = layout;
        }
        _frames.Enqueue(positions);
        if (_frames.Count > SkeletonTake.MaxFrames) _frames.Dequeue();
        _last = captureTime;
    }

    /// <summary>The take as of a window ending at <paramref name="end"/>.</summary>
    public SkeletonTake AsOf(DateTimeOffset end) => new(_start, end, _layout, [.. _frames]);
}
