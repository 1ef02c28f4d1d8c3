using Streaming.Models.Anticipation;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The baseline models behind the model stage: the pose classifier recognizes each window from its positions; the
/// window joins its stream's <see cref="RecognitionHistory"/>, whose segments (consecutive windows with the same
/// recognized action) are the past; the transition anticipator continues the current segment (its elapsed time counts)
/// with the likeliest next actions up to <paramref name="horizon"/>. Windows of another layout than the classifier's are
/// mapped into it through the canonical skeleton where they can be (<see cref="ServedLayouts"/>), else refused.
/// </summary>
public sealed class BaselineActionModel(PoseClassifier classifier, TransitionAnticipator anticipator, string id, TimeSpan horizon, int topK = 3) : IActionModel
{
    readonly SkeletonLayout layout = ServedLayouts.Of($"pose classifier of model {id}", classifier.Layout, classifier.Joints);

    public string Id => id;

    public Rejection? Refusal(Observation window) => ServedLayouts.Refusal(Id, layout, window);

    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch) => batch.Select(Predict).ToList();

    WindowPrediction Predict(Observation o)
    {
        var positions = PositionsOf(o);
        var history = o.Recognitions ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} carries no recognition history (not a skeleton window?).");
        var p = classifier.Probabilities(positions.Positions, positions.Frames);
        var ranked = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(Math.Max(topK, 1))
            .Select(i => new LabelProbability(classifier.Labels[i], p[i])).ToList();
        history.Add(o.Start, o.End, ranked[0]);
        ActionSegment[] past = [.. history.Segments];
        return new WindowPrediction(new RecognizedAction(ranked[0].Label, ranked[0].Probability, ranked), past, Anticipate(o.End, past[^1]));
    }

    /// <summary>The likeliest actions after <paramref name="now"/>, the first one continuing <paramref name="current"/>.</summary>
    List<ActionSegment> Anticipate(DateTimeOffset now, ActionSegment current)
    {
        double elapsed = (now - current.Start).TotalSeconds;
        return anticipator.Anticipate(IndexOf(current.Label), elapsed, horizon.TotalSeconds)
            .Select(f => new ActionSegment(anticipator.Labels[f.Action], now + TimeSpan.FromSeconds(f.Start), now + TimeSpan.FromSeconds(f.End),
                f.Probability * (f.Start == 0 ? current.Probability : 1)))
            .ToList();
    }

    /// <summary>The window's positions in the classifier's layout: the window's own when it is in that layout.</summary>
    SkeletonSequence PositionsOf(Observation o)
    {
        var positions = o.Positions ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} has no positions (its frames mix layouts).");
        return SkeletonRetargeting.Sequence(positions, o.Frames[0].Layout.Mapping, layout.Mapping);
    }

    int IndexOf(string label)
    {
        for (int i = 0; i < anticipator.Labels.Count; i++)
            if (anticipator.Labels[i] == label) return i;
        throw new InvalidOperationException($"model {Id}: the anticipator does not know the recognizer's label '{label}'.");
    }
}
