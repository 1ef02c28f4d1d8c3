using System.Diagnostics;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// One observation window of one stream: its inputs, the acknowledgement tokens of those inputs (held until the
/// window is published or dropped), and what the window builder keeps of its stream. A skeleton window has its frames
/// in sequence order, their <see cref="Positions"/>, the stream's <see cref="Take"/> so far and its
/// <see cref="Recognitions"/>; an action-label window has no frames but the stream's <see cref="History"/>.
/// </summary>
public sealed record Observation(
    string Stream,
    long WindowId,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<SkeletonFrame> Frames,
    IReadOnlyList<AckToken> Acks,
    DateTimeOffset FormedAt)
{
    /// <summary>
    /// Skeleton windows: the frames' joints without confidences, (frames, joints, 3) in their layout's order, made once
    /// per window for the model. Null for action-label windows and for a window whose frames do not share one layout.
    /// </summary>
    public SkeletonSequence? Positions { get; init; }

    /// <summary>Skeleton windows: the stream's take so far, up to this window's end; null for action-label windows.</summary>
    public SkeletonTake? Take { get; init; }

    /// <summary>Skeleton windows: the stream's recognition history, one object shared by all its windows; null for action-label windows.</summary>
    public RecognitionHistory? Recognitions { get; init; }

    /// <summary>
    /// The window's span, open from formation until the window is published or dropped: a child of its last frame's
    /// span with links to its frames' spans. Published outputs carry its context downstream. Null when nothing traces
    /// the pipeline.
    /// </summary>
    public Activity? Span { get; init; }

    /// <summary>
    /// Action-label windows: the stream's actions up to the window's end (its own events included); null for skeleton
    /// windows.
    /// </summary>
    public ActionHistory? History { get; init; }

    /// <summary>The capture time of the window's newest input (frame, or action event: the window's end): where its end-to-end latency starts.</summary>
    public DateTimeOffset LastCaptureTime => Frames.Count > 0 ? Frames.Max(f => f.CaptureTime) : End;

    /// <summary>
    /// When the pipeline received the window's newest input (on its clock), which splits the time before the window formed
    /// into delivery (from <see cref="LastCaptureTime"/>) and waiting in the window builder (reordering, a time window's
    /// end). Null where the newest input formed the window at once (action events): <see cref="FormedAt"/>.
    /// </summary>
    public DateTimeOffset? LastReceivedAt { get; init; }
}
