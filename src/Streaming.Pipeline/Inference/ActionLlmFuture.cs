using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// A skeleton recognizer whose future comes from ActionLLM: the recognizer's past segments (its recognitions of the
/// stream so far, oldest first) are the stream's action history, and one ActionLLM forward per micro-batch anticipates
/// from all of them, as it does for action-label streams. The activity begins at the oldest past segment. The
/// recognizer's own future, if it has one, is replaced. Refused unless ActionLLM knows every action the recognizer can
/// name, so that no recognition reaches it as an unknown label.
/// </summary>
public sealed class ActionLlmFuture : IActionModel, ITrainedWindow
{
    readonly IActionRecognizer recognizer;
    readonly ActionLlmAnticipator anticipator;

    public ActionLlmFuture(IActionRecognizer recognizer, ActionLlmAnticipator anticipator, string anticipatorId)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        ArgumentNullException.ThrowIfNull(anticipator);
        var unknown = recognizer.Actions.Except(anticipator.Actions).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"anticipator {anticipatorId} does not know the action(s) {string.Join(", ", unknown)} that model {recognizer.Id} recognizes " +
                $"(it knows {string.Join(", ", anticipator.Actions)}); train it on the recognizer's dataset's labels.");
        (this.recognizer, this.anticipator, Id) = (recognizer, anticipator, $"{recognizer.Id}+{anticipatorId}");
    }

    public string Id { get; }

    public int WindowFrames => recognizer is ITrainedWindow trained ? trained.WindowFrames : 0;

    public Rejection? Refusal(Observation window) => recognizer.Refusal(window);

    /// <summary>The recognizer's batch, then one ActionLLM forward over every window's past.</summary>
    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch)
    {
        var recognized = recognizer.Predict(batch);
        var futures = anticipator.Anticipate([.. recognized.Select(p => new ActionHistory(p.Past.Count > 0 ? p.Past[0].Start : DateTimeOffset.MinValue, p.Past))]);
        return [.. recognized.Select((p, i) => p with { Future = futures[i] })];
    }
}
