using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The model stage's one interface. Each method takes a batch of featurized windows, possibly of many
/// streams, and returns one result per window in the same order. Called from one thread at a time.
/// </summary>
public interface IActionModel
{
    /// <summary>Names the model in every output (e.g. a checkpoint name and version).</summary>
    string Id { get; }

    /// <summary>The action happening in each window.</summary>
    IReadOnlyList<RecognizedAction> Recognize(IReadOnlyList<Observation> batch);

    /// <summary>The segmentation of what each window's stream has shown so far.</summary>
    IReadOnlyList<IReadOnlyList<ActionSegment>> Segment(IReadOnlyList<Observation> batch);

    /// <summary>The actions expected after each window, with start, end and probability.</summary>
    IReadOnlyList<IReadOnlyList<ActionSegment>> Anticipate(IReadOnlyList<Observation> batch);
}
