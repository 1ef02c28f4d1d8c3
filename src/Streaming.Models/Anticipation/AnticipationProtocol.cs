using Streaming.Models.Datasets;
using Streaming.Tensors;

namespace Streaming.Models.Anticipation;

/// <summary>
/// Predicts the action of each of the next <c>futureFrames</c> frames from the labels observed so far; the video's
/// length is known, as in the protocol (alpha and beta are fractions of it).
/// </summary>
public delegate int[] FrameAnticipation(ReadOnlySpan<int> observed, int futureFrames, int videoFrames);

/// <summary>
/// <see cref="FrameAnticipation"/> with the visual features of the observed frames, (D, observed.Length): the
/// columns of the video's [D, T] feature matrix up to the end of the observation.
/// </summary>
public delegate int[] VisualFrameAnticipation(ReadOnlySpan<int> observed, Tensor observedFeatures, int futureFrames, int videoFrames);

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

    public static IReadOnlyList<MocCell> Evaluate(IReadOnlyList<LabelledVideo> videos, int classes, FrameAnticipation anticipate) =>
        Score(videos, classes, video => (observed, future) => anticipate(video.Labels.AsSpan(0, observed), future, video.Labels.Length));

    /// <summary>The protocol for an anticipator that also reads the observed frames' visual features; every video needs its feature file.</summary>
    public static IReadOnlyList<MocCell> Evaluate(IReadOnlyList<LabelledVideo> videos, int classes, VisualFrameAnticipation anticipate) =>
        Score(videos, classes, video =>
        {
            var features = video.Features();                                   // (D, T), read once for all cells
            return (observed, future) => anticipate(video.Labels.AsSpan(0, observed), features.Narrow(1, 0, observed), future, video.Labels.Length);
        });

    /// <summary>Scores every (alpha, beta) cell; <paramref name="predictor"/> gives, per video, (observed, future frames) -> predicted frames.</summary>
    static IReadOnlyList<MocCell> Score(IReadOnlyList<LabelledVideo> videos, int classes, Func<LabelledVideo, Func<int, int, int[]>> predictor)
    {
        var cells = Alphas.SelectMany(alpha => Betas.Select(beta => (Alpha: alpha, Beta: beta))).ToArray();
        var right = new long[cells.Length, classes];
        var total = new long[cells.Length, classes];
        foreach (var video in videos)
        {
            var predict = predictor(video);
            for (int cell = 0; cell < cells.Length; cell++)
            {
                int n = video.Labels.Length, observed = (int)(cells[cell].Alpha * n), future = Math.Min((int)(cells[cell].Beta * n), n - observed);
                if (observed == 0 || future == 0) continue;
                var predicted = predict(observed, future);
                if (predicted.Length != future)
                    throw new InvalidOperationException($"anticipation protocol: {predicted.Length} frames predicted for {video.Name}, {future} asked.");
                for (int i = 0; i < future; i++)
                {
                    int truth = video.Labels[observed + i];
                    total[cell, truth]++;
                    if (predicted[i] == truth) right[cell, truth]++;
                }
            }
        }
        return [.. cells.Select((c, cell) =>
        {
            var present = Enumerable.Range(0, classes).Where(k => total[cell, k] > 0).ToArray();
            double moc = present.Length == 0 ? double.NaN : present.Average(k => (double)right[cell, k] / total[cell, k]);
            return new MocCell(c.Alpha, c.Beta, moc, Enumerable.Range(0, classes).Sum(k => total[cell, k]));
        })];
    }

    /// <summary>The baseline that repeats the last observed action over the whole future.</summary>
    public static int[] RepeatLast(ReadOnlySpan<int> observed, int futureFrames, int videoFrames) => Enumerable.Repeat(observed[^1], futureFrames).ToArray();

    /// <summary>
    /// The transition baseline: the rest of the last observed action (its run so far counts as elapsed time, in
    /// frames) and then the likeliest chain of next actions with their mean durations.
    /// </summary>
    public static FrameAnticipation Transitions(TransitionAnticipator model) => (observed, futureFrames, _) =>
    {
        int current = observed[^1], run = CurrentRun(observed);
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

    /// <summary>How many frames the last observed action has run: the observation's last run of one label.</summary>
    public static int CurrentRun(ReadOnlySpan<int> observed)
    {
        int run = observed.IsEmpty ? 0 : 1;
        while (run < observed.Length && observed[^(run + 1)] == observed[^1]) run++;
        return run;
    }

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
