using Streaming.Models.Anticipation;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// ActionLLM on a live stream's action history: the history is sampled into the model's observed steps, the queries are
/// decoded until the first "None" (<see cref="ActionLlm.Anticipate"/>), and each decoded (class, duration) becomes a
/// future segment with start, end and the probability of its class at its query.
/// </summary>
/// <remarks>
/// Time scale. ActionLLM is trained on whole videos: a video of length L is seen as <c>StepsPerVideo</c> steps of
/// L / StepsPerVideo, the observation is its first alpha L, and durations are shares of the unobserved rest. A live stream has no
/// length, so the service takes L to be a configured expected activity length (<paramref name="activityLength"/>; the
/// mean 50 Salads video is 385 s) and reads the stream's elapsed time since its activity began (its first event after
/// being idle) as alpha L, the protocol's observed fraction. So: steps of L / StepsPerVideo from the activity's start,
/// each taking the label in effect at its time, exactly as ActionLlmTraining samples frames; the rest is L less the
/// elapsed time, at least L / 10. An activity that runs past L keeps the same step length (alpha above 1, beyond what the model saw in
/// training); when its steps exceed what the model takes in one forward (<see cref="ActionLlm.MaxObservedSteps"/>, the
/// base LM's positions less the queries), only the most recent steps are kept.
/// The first query continues the action in progress (as the protocol's decoding does): its class is the current action
/// and its probability that action's softmax probability. Its remaining time comes from the checkpoint's training-run
/// durations when it has them (<see cref="ActionLlm.Durations"/>, fractions of L), from the model otherwise; zero means
/// the action ends now.
/// </remarks>
public sealed class ActionLlmAnticipator
{
    readonly ActionLlm model;
    readonly int stepsPerVideo;
    readonly Dictionary<string, int> index;

    public ActionLlmAnticipator(TrainedAnticipator trained, TimeSpan activityLength)
    {
        ArgumentNullException.ThrowIfNull(trained);
        if (trained.Model.Config.VisualFeatures > 0)
            throw new ArgumentException($"the pipeline anticipates from action labels alone, but this ActionLLM reads Dv = {trained.Model.Config.VisualFeatures} " +
                "visual features per step; train the pipeline's anticipator with --no-visual.", nameof(trained));
        if (activityLength <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(activityLength), activityLength, "the expected activity length must be positive.");
        (model, stepsPerVideo, ActivityLength) = (trained.Model, trained.StepsPerVideo, activityLength);
        index = model.Actions.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The actions the model knows, by class index.</summary>
    public IReadOnlyList<string> Actions => model.Actions;

    /// <summary>L: the activity length that durations are fractions of.</summary>
    public TimeSpan ActivityLength { get; }

    /// <summary>The time one observed step stands for: L / StepsPerVideo.</summary>
    public TimeSpan StepLength => ActivityLength / stepsPerVideo;

    /// <summary>The most steps one forward takes; older steps are dropped.</summary>
    public int MaxSteps => model.MaxObservedSteps;

    /// <summary>
    /// The observed steps of <paramref name="history"/>: the action index at the activity's start plus k step lengths,
    /// for every such time before the newest event (at least one step), the most recent <see cref="MaxSteps"/> of them.
    /// </summary>
    public int[] Steps(ActionHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Segments.Count == 0) return [];
        long step = StepLength.Ticks, elapsed = (history.Now - history.ActivityStart).Ticks;
        long count = Math.Max(1, (elapsed + step - 1) / step);
        long first = Math.Max(0, count - MaxSteps);
        var steps = new int[count - first];
        for (long i = first; i < count; i++)
            steps[i - first] = IndexOf(history.LabelAt(history.ActivityStart + TimeSpan.FromTicks(i * step)));
        return steps;
    }

    /// <summary>The anticipated segments after the newest event of <paramref name="history"/>, back to back from it; none for an empty history.</summary>
    public IReadOnlyList<ActionSegment> Anticipate(ActionHistory history) => Anticipate([history])[0];

    /// <summary>
    /// <see cref="Anticipate(ActionHistory)"/> for a micro-batch of streams' histories, in one ActionLLM forward over
    /// all of them (padded to the longest; each computes what it would alone).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ActionSegment>> Anticipate(IReadOnlyList<ActionHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var steps = histories.Select(Steps).ToArray();
        var rows = Enumerable.Range(0, histories.Count).Where(i => steps[i].Length > 0).ToArray();
        var rests = histories.Select(h => Rest(h.Now - h.ActivityStart)).ToArray();
        var decoded = model.Anticipate([.. rows.Select(i => steps[i])], [.. rows.Select(i =>
            new ActionInProgress(IndexOf(histories[i].Segments[^1].Label), histories[i].CurrentRun / ActivityLength, rests[i] / ActivityLength))]);
        var futures = new IReadOnlyList<ActionSegment>[histories.Count];
        Array.Fill(futures, []);
        for (int r = 0; r < rows.Length; r++)
        {
            int i = rows[r];
            var future = new List<ActionSegment>();
            var cursor = histories[i].Now;
            foreach (var segment in decoded[r])
            {
                var duration = rests[i] * segment.Share;
                if (duration <= TimeSpan.Zero) continue;
                future.Add(new ActionSegment(model.Actions[segment.Action], cursor, cursor + duration, segment.Probability));
                cursor += duration;
            }
            futures[i] = future;
        }
        return futures;
    }

    /// <summary>
    /// The unobserved rest of the activity, which the decoded shares fill: L less the elapsed time, and at least a tenth
    /// of L, so that an activity running past its expected length still gets a future.
    /// </summary>
    TimeSpan Rest(TimeSpan elapsed) => ActivityLength - elapsed > ActivityLength / 10 ? ActivityLength - elapsed : ActivityLength / 10;

    int IndexOf(string label) => index.TryGetValue(label, out int i) ? i
        : throw new InvalidOperationException($"ActionLLM does not know the action '{label}' ({model.Actions.Count} actions: {string.Join(", ", model.Actions)}).");
}
