namespace Streaming.Models.Tokenization;

/// <summary>What a split does with the delimiters it finds (Rust tokenizers' <c>SplitDelimiterBehavior</c>).</summary>
public enum SplitBehavior
{
    /// <summary>Delimiters are dropped.</summary>
    Removed,
    /// <summary>Each delimiter is a piece of its own.</summary>
    Isolated,
    /// <summary>A delimiter ends the piece before it.</summary>
    MergedWithPrevious,
    /// <summary>A delimiter starts the piece after it.</summary>
    MergedWithNext,
    /// <summary>Runs of delimiters form one piece.</summary>
    Contiguous,
}

internal static class Splitting
{
    public static SplitBehavior ParseBehavior(JsonSection field) => field.String() switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        var other => throw field.Error($"split behavior \"{other}\" is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous"),
    };

    /// <summary>Cuts <paramref name="text"/> at <paramref name="matches"/> and appends the non-empty pieces to <paramref name="output"/>.</summary>
    public static void Split(string text, List<(int Start, int End)> matches, SplitBehavior behavior, bool invert, List<string> output)
    {
        // Spans covering the text, each flagged as delimiter or not, as in Rust's NormalizedString::split.
        var spans = new List<(int Start, int End, bool Delimiter)>(2 * matches.Count + 1);
        var previous = 0;
        foreach (var (start, end) in matches)
        {
            if (previous < start) spans.Add((previous, start, invert));
            spans.Add((start, end, !invert));
            previous = end;
        }
        if (previous < text.Length) spans.Add((previous, text.Length, invert));

        var pieces = new List<(int Start, int End)>(spans.Count);
        switch (behavior)
        {
            case SplitBehavior.Removed:
                foreach (var s in spans) if (!s.Delimiter) pieces.Add((s.Start, s.End));
                break;
            case SplitBehavior.Isolated:
                foreach (var s in spans) pieces.Add((s.Start, s.End));
                break;
            case SplitBehavior.MergedWithPrevious:
                var afterDelimiter = false;
                foreach (var s in spans)
                {
                    if (s.Delimiter && !afterDelimiter && pieces.Count > 0) pieces[^1] = (pieces[^1].Start, s.End);
                    else pieces.Add((s.Start, s.End));
                    afterDelimiter = s.Delimiter;
                }
                break;
            case SplitBehavior.MergedWithNext:
                var beforeDelimiter = false;
                for (var i = spans.Count - 1; i >= 0; i--)
                {
                    var s = spans[i];
                    if (s.Delimiter && !beforeDelimiter && pieces.Count > 0) pieces[^1] = (s.Start, pieces[^1].End);
                    else pieces.Add((s.Start, s.End));
                    beforeDelimiter = s.Delimiter;
                }
                pieces.Reverse();
                break;
            case SplitBehavior.Contiguous:
                var last = (bool?)null;
                foreach (var s in spans)
                {
                    if (s.Delimiter == last) pieces[^1] = (pieces[^1].Start, s.End);
                    else pieces.Add((s.Start, s.End));
                    last = s.Delimiter;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(behavior), behavior, null);
        }
        foreach (var (start, end) in pieces)
            if (end > start) output.Add(text[start..end]);
    }
}
