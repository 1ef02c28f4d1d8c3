namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>Replaces every match of a literal or regex pattern (LLaMA-2: " " becomes "▁").</summary>
public sealed class ReplaceNormalizer : Normalizer
{
    readonly TextPattern _pattern;
    readonly string _content;

    internal ReplaceNormalizer(TextPattern pattern, string content) => (_pattern, _content) = (pattern, content);

    public ReplaceNormalizer(string literal, string content) : this(TextPattern.Literal(literal), content) { }

    public override string Normalize(string text) => _pattern.Replace(text, _content);
}
