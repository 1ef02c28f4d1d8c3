using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The model stage of action-label streams: the action happening is the stream's newest event (with its segment's
/// confidence), the past segments are its history (the most recent <paramref name="maxPastSegments"/>), and the future
/// is ActionLLM's anticipation from that history (<see cref="ActionLlmAnticipator"/>). It reads only the windows'
/// <see cref="Observation.History"/>, so a window dropped by backpressure loses no history.
/// </summary>
public sealed class ActionLlmActionModel(ActionLlmAnticipator anticipator, string id, int maxPastSegments = 32) : IActionModel
{
    public string Id => id;

    public ActionLlmAnticipator Anticipator => anticipator;

    /// <summary>The labels an input event may carry.</summary>
    public IReadOnlyList<string> Actions => anticipator.Actions;

    public Rejection? Refusal(Observation window) => null;

    /// <summary>One ActionLLM forward for the whole micro-batch.</summary>
    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch)
    {
        var histories = batch.Select(HistoryOf).ToList();
        var futures = anticipator.Anticipate(histories);
        return [.. histories.Select((history, i) =>
        {
            var current = history.Segments[^1];
            return new WindowPrediction(new RecognizedAction(current.Label, current.Probability, [new LabelProbability(current.Label, current.Probability)]),
                [.. history.Segments.TakeLast(maxPastSegments)], futures[i]);
        })];
    }

    ActionHistory HistoryOf(Observation o) => o.History is { Segments.Count: > 0 } history ? history
        : throw new InvalidOperationException($"model {Id} anticipates from action histories; stream {o.Stream} window {o.WindowId} has none (a skeleton window?).");
}
