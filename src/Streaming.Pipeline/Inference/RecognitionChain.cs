using Streaming.Models.Anticipation;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// What a skeleton model makes of a window's class probabilities, whichever recognizer gave them: the top-k labels, the
/// past segments and, where the model has a transition anticipator, the likeliest actions up to
/// <paramref name="horizon"/> after the window, the first one continuing the current segment (its elapsed time counts).
/// A recognizer of windows extends its stream's <see cref="RecognitionHistory"/> (<see cref="OfWindow"/>); a recognizer
/// of whole takes revises the label of the take so far (<see cref="OfTake"/>).
/// </summary>
sealed class RecognitionChain
{
    readonly string modelId;
    readonly IReadOnlyList<string> labels;
    readonly TransitionAnticipator? anticipator;
    readonly TimeSpan horizon;
    readonly int topK;
    readonly Dictionary<string, int> anticipated = [];   // label -> its index among the anticipator's labels

    public RecognitionChain(string modelId, IReadOnlyList<string> labels, TransitionAnticipator? anticipator, TimeSpan horizon, int topK = 3)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException($"model {modelId}: the recognizer has no labels.", nameof(labels));
        (this.modelId, this.labels, this.anticipator, this.horizon, this.topK) = (modelId, labels, anticipator, horizon, Math.Max(topK, 1));
        if (anticipator is null) return;
        if (horizon <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"model {modelId}: the anticipation horizon must be positive.");
        for (int i = 0; i < anticipator.Labels.Count; i++) anticipated[anticipator.Labels[i]] = i;
        var unknown = labels.Where(l => !anticipated.ContainsKey(l)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"model {modelId}: the anticipator does not know the recognizer's label(s) {string.Join(", ", unknown)} (it knows {string.Join(", ", anticipator.Labels)}).", nameof(anticipator));
    }

    /// <summary>
    /// The window's recognition joins its stream's history, whose segments (consecutive windows recognized as the same
    /// action) are the past; the future continues the newest segment.
    /// </summary>
    public WindowPrediction OfWindow(Observation window, ReadOnlySpan<float> probabilities)
    {
        var history = window.Recognitions ?? throw new InvalidOperationException($"model {modelId}: stream {window.Stream} window {window.WindowId} carries no recognition history (not a skeleton window?).");
        var recognized = Recognized(probabilities);
        history.Add(window.Start, window.End, recognized.TopK[0]);
        ActionSegment[] past = [.. history.Segments];
        return new WindowPrediction(recognized, past, Anticipate(window.End, past[^1]));
    }

    /// <summary>The take so far is one action whose label each window revises: the past is that one segment, the future continues it.</summary>
    public WindowPrediction OfTake(Observation window, ReadOnlySpan<float> probabilities)
    {
        var take = window.Take ?? throw new InvalidOperationException($"model {modelId}: stream {window.Stream} window {window.WindowId} carries no take (not a skeleton window?).");
        var recognized = Recognized(probabilities);
        var segment = new ActionSegment(recognized.Label, take.Start, take.End, recognized.Probability);
        return new WindowPrediction(recognized, [segment], Anticipate(take.End, segment));
    }

    RecognizedAction Recognized(ReadOnlySpan<float> p)
    {
        if (p.Length != labels.Count) throw new InvalidOperationException($"model {modelId}: {p.Length} class probabilities for {labels.Count} labels.");
        var values = p.ToArray();
        // A stable sort: equal probabilities keep the labels' order.
        var ranked = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).Take(topK).Select(i => new LabelProbability(labels[i], values[i])).ToList();
        return new RecognizedAction(ranked[0].Label, ranked[0].Probability, ranked);
    }

    /// <summary>The likeliest actions after <paramref name="now"/>, the first one continuing <paramref name="current"/>; none without an anticipator.</summary>
    List<ActionSegment> Anticipate(DateTimeOffset now, ActionSegment current)
    {
        if (anticipator is null) return [];
        double elapsed = (now - current.Start).TotalSeconds;
        return anticipator.Anticipate(anticipated[current.Label], elapsed, horizon.TotalSeconds)
            .Select(f => new ActionSegment(anticipator.Labels[f.Action], now + TimeSpan.FromSeconds(f.Start), now + TimeSpan.FromSeconds(f.End),
                f.Probability * (f.Start == 0 ? current.Probability : 1)))
            .ToList();
    }
}
