using Streaming.Models.Datasets;

namespace Streaming.Models.Anticipation;

/// <summary>
/// Predicts the action of each of the next <c>futureFrames</c> frames from the labels observed so far; the video's
/// length is known, as in the protocol (alpha and beta are fractions of it).
/// </summary>
public delegate int[] FrameAnticipation(ReadOnlySpan<int> observed, int futureFrames, int videoFrames);

/// <summary>Mean over Classes accuracy of one (alpha, beta) cell, with the frame counts behind it.</summary>
public sealed record MocCell(double Alpha, double Beta, double Moc, long Frames);

/// <summary>
/// The long-term anticipation protocol of Abu Farha et al. (CVPR 2018): observe the first alpha of each test video,
/// predict the following beta of it (both fractions of the whole video), and score Mean over Classes accuracy: per
/// ground-truth class, the fraction of its predicted frames that are right, accumulated over all test videos of the
/// split, averaged over the classes that occur.
/// </summary>
public static class AnticipationProtocol
{
    public static readonly double[] Alphas = [0.2, 0.3];
    public static readonly double[] Betas = [0.1, 0.2, 0.3, 0.5];

    public static IReadOnlyList<MocCell> Evaluate(IReadOnlyList<LabelledVideo> videos, int classes, FrameAnticipation anticipate)
    {
        var cells = new List<MocCell>();
        foreach (var alpha in Alphas)
            foreach (var beta in Betas)
            {
                var right = new long[classes];
                var total = new long[classes];
                foreach (var video in videos)
                {
                    int n = video.Labels.Length, observed = (int)(alpha * n), future = Math.Min((int)(beta * n), n - observed);
                    if (observed == 0 || future == 0) continue;
                    var predicted = anticipate(video.Labels.AsSpan(0, observed), future, n);
                    if (predicted.Length != future)
                        throw new InvalidOperationException($"anticipation protocol: {predicted.Length} frames predicted for {video.Name}, {future} asked.");
                    for (int i = 0; i < future; i++)
                    {
                        int truth = video.Labels[observed + i];
                        total[truth]++;
                        if (predicted[i] == truth) right[truth]++;
                    }
                }
                var present = Enumerable.Range(0, classes).Where(c => total[c] > 0).ToArray();
                double moc = present.Length == 0 ? double.NaN : present.Average(c => (double)right[c] / total[c]);
                cells.Add(new MocCell(alpha, beta, moc, total.Sum()));
            }
        return cells;
    }

    /// <summary>The baseline that repeats the last observed action over the whole future.</summary>
    public static int[] RepeatLast(ReadOnlySpan<int> observed, int futureFrames, int videoFrames) => Enumerable.Repeat(observed[^1], futureFrames).ToArray();

    /// <summary>
    /// The transition baseline: the rest of the last observed action (its run so far counts as elapsed time, in
    /// frames) and then the likeliest chain of next actions with their mean durations.
    /// </summary>
    public static FrameAnticipation Transitions(TransitionAnticipator model) => (observed, futureFrames, _) =>
    {
        int current = observed[^1], run = 1;
        while (run < observed.Length && observed[^(run + 1)] == current) run++;
        var frames = new int[futureFrames];
        var future = model.Anticipate(current, run, futureFrames);
        int filled = 0;
        foreach (var step in future)
        {
            int end = (int)Math.Min(Math.Round(step.End), futureFrames);
            for (; filled < end; filled++) frames[filled] = step.Action;
        }
        for (; filled < futureFrames; filled++) frames[filled] = future[^1].Action;
        return frames;
    };

    /// <summary>A video's labels as runs of one action, durations in frames.</summary>
    public static IReadOnlyList<ActionRun> Runs(IReadOnlyList<int> labels)
    {
        var runs = new List<ActionRun>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (runs.Count > 0 && runs[^1].Action == labels[i]) runs[^1] = runs[^1] with { Duration = runs[^1].Duration + 1 };
            else runs.Add(new ActionRun(labels[i], 1));
        }
        return runs;
    }
}
