using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// A skeleton stream's past segments as the model stage recognizes its windows: consecutive windows recognized as the
/// same action make one segment (its probability the highest of theirs), oldest first, at most <see cref="MaxSegments"/>.
/// One per stream, made by its window builder and gone with it when the stream goes idle; every window of the stream
/// carries it (<see cref="Observation.Recognitions"/>).
/// </summary>
/// <remarks>
/// Not thread-safe, and need not be: only the model stage updates it, on one thread, and a stream's windows reach it in order.
/// </remarks>
public sealed class RecognitionHistory
{
    /// <summary>Past segments kept; older ones are dropped.</summary>
    public const int MaxSegments = 32;

    readonly List<ActionSegment> _segments = [];

    /// <summary>The segments so far; a live view, so copy it to keep it.</summary>
    public IReadOnlyList<ActionSegment> Segments => _segments;

    /// <summary>Adds a window recognized as <paramref name="recognized"/>: extends the last segment when the action is the same and the window reaches it.</summary>
    public void Add(DateTimeOffset start, DateTimeOffset end, LabelProbability recognized)
    {
        ArgumentNullException.ThrowIfNull(recognized);
        if (_segments.Count > 0 && _segments[^1].Label == recognized.Label && start <= _segments[^1].End)
        {
            var last = _segments[^1];
            _segments[^1] = last with { End = end > last.End ? end : last.End, Probability = Math.Max(last.Probability, recognized.Probability) };
            return;
        }
        // Windows overlap by the hop: the new segment starts where the previous one ends.
        var from = _segments.Count > 0 && _segments[^1].End > start ? _segments[^1].End : start;
        _segments.Add(new ActionSegment(recognized.Label, from, end, recognized.Probability));
        if (_segments.Count > MaxSegments) _segments.RemoveAt(0);
    }
}
