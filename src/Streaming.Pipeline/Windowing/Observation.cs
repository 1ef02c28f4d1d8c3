using System.Diagnostics;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// One observation window of one stream: its frames in sequence order, the acknowledgement tokens of
/// those frames (held until the window is published or dropped), and the features the feature stage adds.
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
    /// <summary>Model input from the feature stage; empty until then.</summary>
    public float[] Features { get; init; } = [];

    /// <summary>
    /// The window's span, open from formation until the window is published or dropped: a child of its last frame's
    /// span with links to its frames' spans. Published outputs carry its context downstream. Null when nothing traces
    /// the pipeline.
    /// </summary>
    public Activity? Span { get; init; }

    /// <summary>The capture time of the window's newest frame: where its end-to-end latency starts.</summary>
    public DateTimeOffset LastCaptureTime => Frames.Max(f => f.CaptureTime);
}
