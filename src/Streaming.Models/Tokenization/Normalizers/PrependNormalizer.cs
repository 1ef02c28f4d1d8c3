namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>Puts a prefix before non-empty text: LLaMA-2 prepends "▁" so the first word looks like every other.</summary>
public sealed class PrependNormalizer(string prefix) : Normalizer
{
    public string Prefix { get; } = prefix;

    public override string Normalize(string text) => text.Length == 0 ? text : Prefix + text;
}
