namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>
/// GPT-2's pre-tokenizer: optionally splits with GPT-2's word regex, then rewrites each piece's
/// UTF-8 bytes in <see cref="ByteLevelAlphabet"/> so that any text is spelled with 256 symbols.
/// </summary>
public sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    /// <summary>GPT-2's split: contractions, words, numbers, punctuation runs, whitespace (the last space of a run goes with the next word).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly CodePointRegex Gpt2 = new(Gpt2Pattern, "ByteLevel");

    public bool AddPrefixSpace { get; } = addPrefixSpace;
    public bool UseRegex { get; } = useRegex;

    public override void Split(string text, bool atStart, List<string> output)
    {
        if (AddPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        if (!UseRegex)
        {
            if (text.Length > 0) output.Add(ByteLevelAlphabet.Encode(text));
            return;
        }
        var pieces = new List<string>();
        Splitting.Split(text, Gpt2.Matches(text), SplitBehavior.Isolated, invert: false, pieces);
        foreach (var piece in pieces) output.Add(ByteLevelAlphabet.Encode(piece));
    }
}
