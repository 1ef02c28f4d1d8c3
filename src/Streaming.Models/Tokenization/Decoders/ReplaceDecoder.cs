namespace Streaming.Models.Tokenization.Decoders;

/// <summary>Replaces a pattern inside each token (LLaMA-2: "▁" back to " ").</summary>
public sealed class ReplaceDecoder : Decoder
{
    readonly TextPattern _pattern;
    readonly string _content;

    internal ReplaceDecoder(TextPattern pattern, string content) => (_pattern, _content) = (pattern, content);

    public ReplaceDecoder(string literal, string content) : this(TextPattern.Literal(literal), content) { }

    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(t => _pattern.Replace(t, _content)).ToList();
}
