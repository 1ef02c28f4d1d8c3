namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>When a Metaspace pre-tokenizer puts the replacement character before the text.</summary>
public enum PrependScheme
{
    /// <summary>Before every piece.</summary>
    Always,
    /// <summary>Only before the piece that starts the input.</summary>
    First,
    /// <summary>Never.</summary>
    Never,
}

/// <summary>
/// SentencePiece's view of spaces: each space becomes "▁" (U+2581), a "▁" is put before the text,
/// and, when splitting, each "▁" starts a new piece ("▁Hello", "▁world").
/// </summary>
public sealed class MetaspacePreTokenizer(char replacement, PrependScheme prependScheme, bool split) : PreTokenizer
{
    public char Replacement { get; } = replacement;
    public PrependScheme PrependScheme { get; } = prependScheme;
    public bool SplitOnReplacement { get; } = split;

    public override void Split(string text, bool atStart, List<string> output)
    {
        text = text.Replace(' ', Replacement);
        var prepend = PrependScheme == PrependScheme.Always || (PrependScheme == PrependScheme.First && atStart);
        if (prepend && !text.StartsWith(Replacement)) text = Replacement + text;
        if (!SplitOnReplacement)
        {
            if (text.Length > 0) output.Add(text);
            return;
        }
        var matches = new List<(int, int)>();
        for (var i = 0; i < text.Length; i++) if (text[i] == Replacement) matches.Add((i, i + 1));
        Splitting.Split(text, matches, SplitBehavior.MergedWithNext, invert: false, output);
    }

    internal static MetaspacePreTokenizer FromJson(JsonSection json) => new(ParseReplacement(json), ParseScheme(json), json.BoolOr("split", true));

    internal static char ParseReplacement(JsonSection json)
    {
        var replacement = json.StringOr("replacement", "\u2581");
        if (replacement.Length != 1) throw json["replacement"].Error("expected a single character");
        return replacement[0];
    }

    /// <summary>prepend_scheme, or the older add_prefix_space flag.</summary>
    internal static PrependScheme ParseScheme(JsonSection json)
    {
        if (json.Has("prepend_scheme"))
            return json.String("prepend_scheme") switch
            {
                "always" => PrependScheme.Always,
                "first" => PrependScheme.First,
                "never" => PrependScheme.Never,
                var other => throw json["prepend_scheme"].Error($"\"{other}\" is not one of always, first, never"),
            };
        return json.BoolOr("add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never;
    }
}
