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
/// with the likeliest next actions up to <paramref name="horizon"/> (<see cref="RecognitionChain"/>). Windows of another
/// layout than the classifier's are mapped into it through the canonical skeleton where they can be
/// (<see cref="ServedLayouts"/>), else refused.
/// </summary>
public sealed class BaselineActionModel(PoseClassifier classifier, TransitionAnticipator anticipator, string id, TimeSpan horizon, int topK = 3) : IActionRecognizer, ITrainedWindow
{
    readonly SkeletonLayout layout = ServedLayouts.Of($"pose classifier of model {id}", classifier.Layout, classifier.Joints);
    readonly RecognitionChain chain = new(id, classifier.Labels, anticipator, horizon, topK);

    public IReadOnlyList<string> Actions => classifier.Labels;

    public string Id => id;

    public int WindowFrames => classifier.WindowFrames;

    public Rejection? Refusal(Observation window) => ServedLayouts.Refusal(Id, layout, window);

    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch) => batch.Select(Predict).ToList();

    WindowPrediction Predict(Observation o)
    {
        var positions = PositionsOf(o);
        return chain.OfWindow(o, classifier.Probabilities(positions.Positions, positions.Frames));
    }

    /// <summary>The window's positions in the classifier's layout: the window's own when it is in that layout.</summary>
    SkeletonSequence PositionsOf(Observation o)
    {
        var positions = o.Positions ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} has no positions (its frames mix layouts).");
        return SkeletonRetargeting.Sequence(positions, o.Frames[0].Layout.Mapping, layout.Mapping);
    }
}
