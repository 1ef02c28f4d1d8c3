namespace Streaming.Models.Anticipation;

/// <summary>
/// How long each action ran in the training videos, as fractions of its video's length, and from that how long an
/// action in progress has yet to run: the median of D - e over the training runs of that action that lasted longer
/// than the e already elapsed. ActionLLM's own duration for the action in progress comes from a few thousand examples
/// and is its weakest output (on 50 Salads the residual time adds 3.5 to 4 points of MoC, see the README); the model
/// still decides which actions follow and how the rest of the time is shared among them. The median, not the mean:
/// run lengths are skewed to the right, the median is the estimate that misses the true end by the fewest frames on
/// average, and on the validation videos of 50 Salads it scored 0.6 to 1.2 points of MoC above the mean.
/// </summary>
public sealed class ActionDurations
{
    readonly double[][] runs;   // [action] -> sorted run lengths, fractions of their video

    /// <param name="runs">Per action (by class index), the lengths of its training runs as fractions of their videos; empty for an action never seen.</param>
    public ActionDurations(IReadOnlyList<IReadOnlyList<double>> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("action durations: no actions.", nameof(runs));
        for (int a = 0; a < runs.Count; a++)
            foreach (var d in runs[a])
                if (!(d > 0 && d <= 1))
                    throw new ArgumentException($"action durations: a run of action {a} lasts {d} of its video; runs last a fraction in (0, 1].", nameof(runs));
        if (runs.All(r => r.Count == 0)) throw new ArgumentException("action durations: no runs of any action.", nameof(runs));
        this.runs = [.. runs.Select(r => r.Order().ToArray())];
        All = [.. this.runs.SelectMany(r => r).Order()];
    }

    /// <summary>Counts the runs of every action in <paramref name="videos"/> (their frame labels).</summary>
    public static ActionDurations Count(IEnumerable<IReadOnlyList<int>> videos, int actions)
    {
        var runs = Enumerable.Range(0, actions).Select(_ => new List<double>()).ToArray();
        foreach (var labels in videos)
            foreach (var run in AnticipationProtocol.Runs(labels))
                runs[run.Action].Add(run.Duration / labels.Count);
        return new ActionDurations(runs);
    }

    /// <summary>The actions counted.</summary>
    public int Actions => runs.Length;

    /// <summary>Per action, its runs' lengths as fractions of their videos, shortest first.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Runs => runs;

    /// <summary>Every run of every action, shortest first: the durations of an action never seen.</summary>
    double[] All { get; }

    /// <summary>
    /// The time <paramref name="action"/> has yet to run, as a fraction of the activity, when it has run for
    /// <paramref name="elapsed"/> of it: the median of D - e over its training runs longer than e (the mean of the two
    /// middle ones for an even count). When it has outlasted them all, a tenth of its mean run (as
    /// <see cref="TransitionAnticipator.MinimumRemaining"/>); an action never seen counts the runs of all actions.
    /// </summary>
    public double Remaining(int action, double elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(action);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(action, runs.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(elapsed);
        var d = runs[action].Length > 0 ? runs[action] : All;
        int first = UpperBound(d, elapsed);
        if (first == d.Length) return TransitionAnticipator.MinimumRemaining * d.Average();
        int count = d.Length - first, middle = first + count / 2;
        return (count % 2 == 1 ? d[middle] : (d[middle - 1] + d[middle]) / 2) - elapsed;
    }

    /// <summary>The index of the first value above <paramref name="x"/> in sorted <paramref name="sorted"/>.</summary>
    static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
