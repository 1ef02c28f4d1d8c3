using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// What an action-label stream has shown so far: when its activity began (its first event since it last went idle)
/// and its actions as contiguous segments, one per run of a label (the builder merges repeated labels), oldest first,
/// the last one ending at the newest event. Segments older than the builder keeps are gone, but
/// <see cref="ActivityStart"/> stays.
/// </summary>
public sealed record ActionHistory(DateTimeOffset ActivityStart, IReadOnlyList<ActionSegment> Segments)
{
    /// <summary>The time of the newest event: the end of the last segment.</summary>
    public DateTimeOffset Now => Segments.Count == 0 ? ActivityStart : Segments[^1].End;

    /// <summary>How long the newest action has run: since the start of the last segment; zero for an empty history.</summary>
    public TimeSpan CurrentRun => Segments.Count == 0 ? TimeSpan.Zero : Now - Segments[^1].Start;

    /// <summary>The action at <paramref name="time"/>: the segment holding it; before the oldest kept segment, the oldest's.</summary>
    public string LabelAt(DateTimeOffset time)
    {
        if (Segments.Count == 0) throw new InvalidOperationException("an empty action history has no label at any time.");
        int lo = 0, hi = Segments.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Segments[mid].Start <= time) lo = mid;
            else hi = mid - 1;
        }
        return Segments[lo].Label;
    }
}
