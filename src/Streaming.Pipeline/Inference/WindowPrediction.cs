using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// What a model says about one window: the action happening in it, the segmentation of what its stream has shown up to
/// its end (<paramref name="Past"/>), and the actions expected after it, with start, end and probability (<paramref name="Future"/>).
/// </summary>
public sealed record WindowPrediction(RecognizedAction Recognized, IReadOnlyList<ActionSegment> Past, IReadOnlyList<ActionSegment> Future);
