namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>
/// The second stage: cuts normalized text into pre-tokens (words, digit runs, whitespace runs) that
/// the model encodes independently; merges never cross a pre-token boundary.
/// </summary>
public abstract class PreTokenizer
{
    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="output"/>.</summary>
    /// <param name="text">One piece from the previous step.</param>
    /// <param name="atStart">Whether the piece begins the input (no added token or text before it); Metaspace's "first" scheme reads it.</param>
    /// <param name="output">Where the pieces go.</param>
    public abstract void Split(string text, bool atStart, List<string> output);

    public List<string> Split(string text, bool atStart = true)
    {
        var output = new List<string>();
        Split(text, atStart, output);
        return output;
    }

    internal static PreTokenizer? Parse(JsonSection json)
    {
        if (json.IsNull) return null;
        var type = json.Type();
        return type switch
        {
            "Sequence" => new PreTokenizerSequence(json.Required("pretokenizers").Items().Select(p => Parse(p) ?? throw p.Error("a null pre-tokenizer inside a Sequence")).ToArray()),
            "ByteLevel" => new ByteLevelPreTokenizer(json.BoolOr("add_prefix_space", true), json.BoolOr("use_regex", true)),
            "Split" => new SplitPreTokenizer(TextPattern.Parse(json.Required("pattern")), Splitting.ParseBehavior(json.Required("behavior")), json.BoolOr("invert", false)),
            "Metaspace" => MetaspacePreTokenizer.FromJson(json),
            "Digits" => new DigitsPreTokenizer(json.BoolOr("individual_digits", false)),
            _ => throw json.Unsupported("pre_tokenizer", type, "Sequence, ByteLevel, Split, Metaspace, Digits"),
        };
    }
}
