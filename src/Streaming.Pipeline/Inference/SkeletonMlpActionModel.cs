using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;
using MsrAction3D = Streaming.Models.Datasets.MsrAction3D;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The MSR Action3D recognizer (<c>streaming train mlp</c>) behind the model stage. MSR sequences are short clips of one
/// action each, and the MLP was trained on whole clips resampled to its <see cref="SkeletonMlpClassifier.Frames"/> steps,
/// so each window is recognized over its stream's take so far (<see cref="Observation.Take"/>), in kinect20 order turned
/// back into MSR's, described and standardized exactly as in training. The past is one segment, the take so far with its
/// current label (each window revises the label of the whole clip). The future is empty: MSR clips are isolated actions
/// with nothing after them to learn transitions from. Takes of another layout are mapped into kinect20 through the
/// canonical skeleton where they can be (<see cref="ServedLayouts"/>: ntu25), else their windows are refused.
/// </summary>
public sealed class SkeletonMlpActionModel(SkeletonMlpClassifier classifier, string id, int topK = 3) : IActionRecognizer
{
    readonly RecognitionChain chain = new(id, classifier.Labels, anticipator: null, TimeSpan.Zero, topK);

    public IReadOnlyList<string> Actions => classifier.Labels;

    public string Id => id;

    public SkeletonMlpClassifier Classifier => classifier;

    public Rejection? Refusal(Observation window) => ServedLayouts.Refusal(Id, SkeletonLayout.Kinect20, window);

    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch)
    {
        var probabilities = classifier.Probabilities(batch.Select(o => MsrOrder(TakeOf(o))).ToList());
        return batch.Select((o, i) => chain.OfTake(o, probabilities[i])).ToList();
    }

    SkeletonTake TakeOf(Observation o)
    {
        if (classifier.Joints != MsrAction3D.Kinect20Joints.Count)
            throw new InvalidOperationException($"model {Id} has {classifier.Joints} joints; MSR Action3D skeletons (kinect20) have {MsrAction3D.Kinect20Joints.Count}.");
        return o.Take ?? throw new InvalidOperationException($"model {Id}: stream {o.Stream} window {o.WindowId} carries no take (not a skeleton window?).");
    }

    /// <summary>The take's frames in kinect20 (mapped from the take's layout), then in MSR Action3D's joint order, as the training files hold them: (frames, joints, 3).</summary>
    SkeletonSequence MsrOrder(SkeletonTake take)
    {
        var (from, kinect20) = (take.Layout.Mapping, LayoutMapping.Kinect20);
        var map = MsrAction3D.Kinect20Joints;
        int j3 = map.Count * 3;
        var positions = new float[take.Frames.Count * j3];
        Span<float> frame = stackalloc float[kinect20.JointCount * 3];
        for (int t = 0; t < take.Frames.Count; t++)
        {
            var source = take.Frames[t].Span;
            if (source.Length != from.JointCount * 3)
                throw new InvalidOperationException($"model {Id}: frame {t} of the take has {source.Length / 3} joints, not {from.Name}'s {from.JointCount}.");
            SkeletonRetargeting.Frame(from, kinect20, source, frame);
            for (int j = 0; j < map.Count; j++) frame.Slice(map[j] * 3, 3).CopyTo(positions.AsSpan(t * j3 + j * 3, 3));
        }
        return new SkeletonSequence(positions, take.Frames.Count, map.Count);
    }
}
