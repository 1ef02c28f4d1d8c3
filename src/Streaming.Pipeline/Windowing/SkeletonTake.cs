using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// A skeleton stream's take so far, as of one window: the positions of the frames it has sent since the take began
/// (<c>JointCount x 3</c> each, in <paramref name="Layout"/>'s order, oldest first; the most recent <see cref="MaxFrames"/>),
/// from the take's first frame (<paramref name="Start"/>) to the window's end (<paramref name="End"/>). A frame more than
/// <see cref="NewTakeGap"/> after the one before it (capture time) begins a new take, and so does a frame in another
/// layout; so does the stream's next frame after it went idle, as its window builder is then a new one.
/// </summary>
public sealed record SkeletonTake(DateTimeOffset Start, DateTimeOffset End, SkeletonLayout Layout, IReadOnlyList<ReadOnlyMemory<float>> Frames)
{
    /// <summary>Frames kept per take: 30 s at MSR Action3D's 15 frames per second.</summary>
    public const int MaxFrames = 450;

    /// <summary>A stream silent for longer than this (capture time) starts a new take.</summary>
    public static readonly TimeSpan NewTakeGap = TimeSpan.FromSeconds(2);
}
