namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>Splits on a literal or regex pattern; LLaMA-3 and Qwen2/3 put their word regex here.</summary>
public sealed class SplitPreTokenizer : PreTokenizer
{
    readonly TextPattern _pattern;

    internal SplitPreTokenizer(TextPattern pattern, SplitBehavior behavior, bool invert) =>
        (_pattern, Behavior, Invert) = (pattern, behavior, invert);

    public SplitBehavior Behavior { get; }

    /// <summary>When set, the pattern describes the pieces to keep rather than the delimiters.</summary>
    public bool Invert { get; }

    public override void Split(string text, bool atStart, List<string> output) =>
        Splitting.Split(text, _pattern.Matches(text), Behavior, Invert, output);
}
