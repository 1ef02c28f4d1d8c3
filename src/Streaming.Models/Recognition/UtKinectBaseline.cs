using System.Diagnostics;
using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;

namespace Streaming.Models.Recognition;

/// <summary>Window length and hop (skeleton frames) and the UTKinect subject split the baselines train on.</summary>
public sealed record BaselineOptions(int WindowFrames = 15, int Hop = 3, int Split = 1, PoseClassifierOptions? Classifier = null);

/// <summary>The trained baselines and how they did on the test subjects.</summary>
public sealed record BaselineResult(PoseClassifier Classifier, TransitionAnticipator Anticipator,
    int TrainWindows, int TestWindows, double TrainAccuracy, double TestAccuracy, double[] TestAccuracyPerClass, TimeSpan Elapsed);

/// <summary>
/// Trains the pipeline's baseline models on UTKinect-Action3D: the pose classifier on sliding windows inside the
/// labelled segments of the training subjects' takes, and the anticipator on the order and durations (seconds) of
/// their segments. Accuracy is over the windows of the test subjects' takes that lie inside a labelled segment,
/// the same windows a live stream of those takes produces.
/// </summary>
public static class UtKinectBaseline
{
    public const string Layout = "kinect20";

    public static BaselineResult Train(string root, BaselineOptions options, IProgress<(int Step, float Loss)>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var labels = UtKinect.ActionNames(root);
        var recordings = UtKinect.Load(root);
        var trainSubjects = UtKinect.TrainSubjects(root, options.Split);
        var train = recordings.Where(r => trainSubjects.Contains(r.Subject)).ToList();
        var test = recordings.Where(r => !trainSubjects.Contains(r.Subject)).ToList();

        var trainWindows = train.SelectMany(r => Windows(r, options)).ToList();
        var classifier = PoseClassifier.Train(trainWindows, labels, Layout, UtKinect.Joints, options.WindowFrames, options.Classifier ?? new PoseClassifierOptions(), progress);
        var anticipator = TransitionAnticipator.Train(train.Select(Runs), labels);

        var testWindows = test.SelectMany(r => Windows(r, options)).ToList();
        var perClass = new double[labels.Count];
        var perClassCount = new int[labels.Count];
        int correct = 0;
        foreach (var w in testWindows)
        {
            bool hit = ArgMax(classifier.Probabilities(w.Frames, w.FrameCount)) == w.Label;
            correct += hit ? 1 : 0;
            perClass[w.Label] += hit ? 1 : 0;
            perClassCount[w.Label]++;
        }
        for (int c = 0; c < labels.Count; c++) perClass[c] = perClassCount[c] > 0 ? perClass[c] / perClassCount[c] : double.NaN;
        double trainAccuracy = trainWindows.Count(w => ArgMax(classifier.Probabilities(w.Frames, w.FrameCount)) == w.Label) / (double)trainWindows.Count;
        return new BaselineResult(classifier, anticipator, trainWindows.Count, testWindows.Count, trainAccuracy,
            correct / (double)Math.Max(testWindows.Count, 1), perClass, clock.Elapsed);
    }

    /// <summary>
    /// Windows of <see cref="BaselineOptions.WindowFrames"/> rows every <see cref="BaselineOptions.Hop"/> rows over a
    /// take, labelled with the action of their last frame; windows whose last frame is unlabelled are skipped.
    /// </summary>
    public static IEnumerable<PoseWindow> Windows(UtKinectRecording r, BaselineOptions options)
    {
        int j3 = r.Skeletons.Joints * 3;
        for (int end = options.WindowFrames; end <= r.Skeletons.Frames; end += options.Hop)
        {
            int label = r.ActionAt(r.FrameIds[end - 1]);
            if (label < 0) continue;
            int start = end - options.WindowFrames;
            yield return new PoseWindow(r.Skeletons.Positions.AsSpan(start * j3, options.WindowFrames * j3).ToArray(), options.WindowFrames, label);
        }
    }

    /// <summary>The take's segments in time order as runs lasting (end - start) / 30 seconds.</summary>
    public static IReadOnlyList<ActionRun> Runs(UtKinectRecording r) =>
        r.Segments.Select(s => new ActionRun(s.Action, (s.EndFrameId - s.StartFrameId + 1) / UtKinect.FramesPerSecond)).ToArray();

    static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());
}
