using System.Globalization;
using Streaming.Models.Anticipation;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// LLM-AR behind the model stage (<c>streaming train llm-ar</c>): every window of a batch becomes a clip of the canonical
/// skeleton, from its own layout: the window's frames (<see cref="LlmArSequence.Window"/>, UTKinect's continuous takes),
/// or its stream's take so far (<see cref="LlmArSequence.Take"/>, MSR Action3D's one-action clips). The recognizer reads
/// all the batch's clips in one forward, after the instruction it computed once (<see cref="LlmArRecognizer.Probabilities"/>).
/// Windows are then recognized and continued as <see cref="RecognitionChain"/> says: window by window into the stream's
/// history, or the whole take revised; with <paramref name="anticipator"/>, the future continues the current segment.
/// </summary>
/// <remarks>
/// Refused before batching, so no window fails another's batch: layouts without depth by a 3-D model
/// (<c>unserved-layout</c>), windows (or takes) of fewer than 2 frames (<c>too-few-frames</c>), non-finite positions
/// (<c>non-finite</c>), and frames that hold no body to centre and scale (<c>no-body</c>). Checking the last two builds
/// the window's clip, which costs microseconds beside the model's forward.
/// </remarks>
public sealed class LlmArActionModel : IActionRecognizer, ITrainedWindow
{
    /// <summary>Frames a clip needs: one frame has no motion to read.</summary>
    public const int MinFrames = 2;

    readonly LlmArRecognizer recognizer;
    readonly RecognitionChain chain;

    public int WindowFrames => recognizer.Config.WindowFrames;

    public IReadOnlyList<string> Actions => recognizer.Labels;

    public LlmArActionModel(LlmArRecognizer recognizer, TransitionAnticipator? anticipator, string id, TimeSpan horizon, int topK = 3)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        ArgumentNullException.ThrowIfNull(id);
        this.recognizer = recognizer;
        Id = id;
        chain = new RecognitionChain(id, recognizer.Labels, anticipator, horizon, topK);
    }

    public string Id { get; }

    bool ReadsTakes => recognizer.Config.Sequence == LlmArSequence.Take;

    public Rejection? Refusal(Observation window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var layouts = window.Frames.Select(f => f.Layout).Distinct().ToList();
        if (recognizer.Config.Dimensions == 3 && layouts.FirstOrDefault(l => !l.Mapping.HasDepth) is { } flat)
            return new Rejection(RejectionReason.UnservedLayout,
                $"model {Id} serves {string.Join(" and ", SkeletonLayout.All.Where(l => l.Mapping.HasDepth).Select(l => l.Name))} skeletons (a 3-D model); " +
                $"stream {window.Stream} window {window.WindowId} sends {flat.Name}: {flat.Name} is an image-plane layout without depth (z is 0), which a 2-D model serves (streaming train llm-ar --dimensions 2).");
        if (!ReadsTakes && layouts.Count > 1)
            return new Rejection(RejectionReason.UnservedLayout,
                $"model {Id} reads one layout per window; stream {window.Stream} window {window.WindowId} mixes {string.Join(" and ", layouts.Select(l => l.Name))}.");
        int frames = ReadsTakes ? window.Take?.Frames.Count ?? 0 : window.Frames.Count;
        if (frames < MinFrames)
            return new Rejection(RejectionReason.TooFewFrames,
                $"stream {window.Stream} window {window.WindowId}: {(ReadsTakes ? "the take so far" : "the window")} holds {frames} frame(s); model {Id} reads motion over at least {MinFrames}.");
        var (layout, sequence) = SequenceOf(window);
        int bad = Array.FindIndex(sequence.Positions, v => !float.IsFinite(v));
        if (bad >= 0)
            return new Rejection(RejectionReason.NonFinite, string.Create(CultureInfo.InvariantCulture,
                $"stream {window.Stream} window {window.WindowId}: frame {bad / (sequence.Joints * 3)} joint {bad % (sequence.Joints * 3) / 3} is {sequence.Positions[bad]}; model {Id} reads finite positions only."));
        try
        {
            SkeletonClip.From(layout.Mapping, sequence, recognizer.Config.Dimensions);
        }
        catch (ArgumentException e)
        {
            return new Rejection(RejectionReason.NoBody, $"stream {window.Stream} window {window.WindowId}: model {Id} cannot read it: {e.Message}");
        }
        return null;
    }

    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return [];
        var clips = batch.Select(o =>
        {
            var (layout, sequence) = SequenceOf(o);
            return SkeletonClip.From(layout.Mapping, sequence, recognizer.Config.Dimensions);
        }).ToList();
        var probabilities = recognizer.Probabilities(clips);
        return batch.Select((o, i) => ReadsTakes ? chain.OfTake(o, probabilities[i]) : chain.OfWindow(o, probabilities[i])).ToList();
    }

    /// <summary>What the recognizer reads of a window: its own positions, or its stream's take so far, with their layout.</summary>
    (SkeletonLayout Layout, SkeletonSequence Sequence) SequenceOf(Observation o)
    {
        if (!ReadsTakes)
            return (o.Frames[0].Layout, o.Positions ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} has no positions (not a skeleton window?)."));
        var take = o.Take ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} carries no take (not a skeleton window?).");
        int j3 = take.Layout.JointCount * 3;
        var positions = new float[take.Frames.Count * j3];
        for (int t = 0; t < take.Frames.Count; t++) take.Frames[t].Span.CopyTo(positions.AsSpan(t * j3, j3));
        return (take.Layout, new SkeletonSequence(positions, take.Frames.Count, take.Layout.JointCount));
    }
}
