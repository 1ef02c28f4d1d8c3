namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>Lower-cases with invariant (culture-free) rules.</summary>
public sealed class LowercaseNormalizer : Normalizer
{
    public override string Normalize(string text) => text.ToLowerInvariant();
}
