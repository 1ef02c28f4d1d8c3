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
}
