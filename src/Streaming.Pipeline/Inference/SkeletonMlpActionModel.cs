using MsrAction3D = Streaming.Models.Datasets.MsrAction3D;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The MSR Action3D recognizer (<c>streaming train mlp</c>) behind the model stage. MSR sequences are short clips of one
/// action each, and the MLP was trained on whole clips resampled to its <see cref="SkeletonMlpClassifier.Frames"/> steps,
/// so each window is recognized over its stream's <i>take so far</i>: every frame the stream has sent since its take began
/// (a gap of <see cref="NewTakeGap"/> in capture time, or sequence numbers starting over, begins a new take; at most the
/// last <see cref="MaxFrames"/> frames), in kinect20 order turned back into MSR's, described and standardized exactly as
/// in training. The segmentation is one segment, the take so far with its current label (each window revises the label of
/// the whole clip). Anticipation is empty: MSR clips are isolated actions with nothing after them to learn transitions from.
/// Recognize, Segment and Anticipate are called in that order on the same batch (see <see cref="IActionModel"/>).
/// </summary>
public sealed class SkeletonMlpActionModel(SkeletonMlpClassifier classifier, string id, int topK = 3) : IActionModel
{
    /// <summary>Frames kept per take: 30 s at MSR Action3D's 15 frames per second.</summary>
    public const int MaxFrames = 450;

    /// <summary>A stream silent for this long (capture time) starts a new take with its next window.</summary>
    public static readonly TimeSpan NewTakeGap = TimeSpan.FromSeconds(2);

    /// <summary>A stream not seen for this long (in its own capture time) is forgotten.</summary>
    static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);

    sealed class Take(DateTimeOffset start)
    {
        public SortedList<long, float[]> Frames { get; } = [];
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset End { get; set; } = start;
    }

    readonly Dictionary<string, Take> takes = new(StringComparer.Ordinal);
    IReadOnlyList<Observation>? recognizedBatch;
    ActionSegment[] recognizedSegments = [];

    public string Id => id;

    public SkeletonMlpClassifier Classifier => classifier;

    public IReadOnlyList<RecognizedAction> Recognize(IReadOnlyList<Observation> batch)
    {
        var sequences = new SkeletonSequence[batch.Count];
        var spans = new (DateTimeOffset Start, DateTimeOffset End)[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            var take = Add(batch[i]);
            sequences[i] = Sequence(take);
            spans[i] = (take.Start, take.End);
        }
        var probabilities = classifier.Probabilities(sequences);
        var results = new List<RecognizedAction>(batch.Count);
        recognizedSegments = new ActionSegment[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            var p = probabilities[i];
            var ranked = Enumerable.Range(0, p.Length).OrderByDescending(c => p[c]).Take(Math.Max(topK, 1))
                .Select(c => new LabelProbability(classifier.Labels[c], p[c])).ToList();
            results.Add(new RecognizedAction(ranked[0].Label, ranked[0].Probability, ranked));
            recognizedSegments[i] = new ActionSegment(ranked[0].Label, spans[i].Start, spans[i].End, ranked[0].Probability);
        }
        recognizedBatch = batch;
        if (batch.Count > 0) ForgetIdleStreams(batch.Max(o => o.End));
        return results;
    }

    public IReadOnlyList<IReadOnlyList<ActionSegment>> Segment(IReadOnlyList<Observation> batch) => ReferenceEquals(batch, recognizedBatch)
        ? recognizedSegments.Select(s => (IReadOnlyList<ActionSegment>)[s]).ToList()
        : throw new InvalidOperationException($"model {Id}: Segment is called after Recognize on the same batch.");

    /// <summary>Nothing: MSR Action3D clips are single isolated actions, so there is nothing to anticipate from them.</summary>
    public IReadOnlyList<IReadOnlyList<ActionSegment>> Anticipate(IReadOnlyList<Observation> batch) =>
        batch.Select(_ => (IReadOnlyList<ActionSegment>)[]).ToList();

    /// <summary>Adds the window's frames to its stream's take (a new take where the stream paused or started over).</summary>
    Take Add(Observation o)
    {
        var first = o.Frames[0];
        if (first.Layout.Name != SkeletonLayout.Kinect20.Name || classifier.Joints != MsrAction3D.Kinect20Joints.Count)
            throw new InvalidOperationException($"model {Id} was trained on MSR Action3D skeletons (kinect20, {classifier.Joints} joints); stream {o.Stream} sends {first.Layout.Name}.");
        if (!takes.TryGetValue(o.Stream, out var take) || o.Start - take.End > NewTakeGap || first.Sequence < take.Frames.Keys[0])
            takes[o.Stream] = take = new Take(o.Start);
        foreach (var frame in o.Frames)
            if (!take.Frames.ContainsKey(frame.Sequence))
                take.Frames.Add(frame.Sequence, MsrOrder(frame));
        while (take.Frames.Count > MaxFrames) take.Frames.RemoveAt(0);
        if (o.End > take.End) take.End = o.End;
        return take;
    }

    /// <summary>A kinect20 frame's positions in MSR Action3D's joint order, as the training files hold them.</summary>
    static float[] MsrOrder(SkeletonFrame frame)
    {
        var map = MsrAction3D.Kinect20Joints;
        var positions = new float[map.Count * 3];
        for (int j = 0; j < map.Count; j++)
        {
            var joint = frame.Joint(map[j]);
            for (int c = 0; c < 3; c++) positions[j * 3 + c] = joint[c];
        }
        return positions;
    }

    static SkeletonSequence Sequence(Take take)
    {
        int j3 = MsrAction3D.Kinect20Joints.Count * 3;
        var positions = new float[take.Frames.Count * j3];
        int t = 0;
        foreach (var frame in take.Frames.Values) frame.CopyTo(positions, t++ * j3);
        return new SkeletonSequence(positions, take.Frames.Count, j3 / 3);
    }

    void ForgetIdleStreams(DateTimeOffset now)
    {
        foreach (var stream in takes.Where(t => now - t.Value.End > Forget).Select(t => t.Key).ToList())
            takes.Remove(stream);
    }
}
