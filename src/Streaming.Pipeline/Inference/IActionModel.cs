using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The model stage's one interface: one call per batch of windows, possibly of many streams, called from one thread at
/// a time. A model keeps no per-stream state of its own: what it remembers of a stream rides on the stream's windows
/// (<see cref="Observation.Take"/>, <see cref="Observation.Recognitions"/>, <see cref="Observation.History"/>).
/// </summary>
public interface IActionModel
{
    /// <summary>Names the model in every output (e.g. a checkpoint name and version).</summary>
    string Id { get; }

    /// <summary>
    /// Why the model cannot serve <paramref name="window"/> at all (e.g. <c>unserved-layout</c>: a skeleton layout it cannot
    /// be given), or null when it can. The model stage drops a refused window with this rejection before it joins a
    /// batch, so one stream the model cannot serve fails no other stream's windows.
    /// </summary>
    Rejection? Refusal(Observation window);

    /// <summary>For every window of <paramref name="batch"/>, in its order: the action happening, the past segments and the future.</summary>
    IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch);
}
