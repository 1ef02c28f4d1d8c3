namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>Normalizers applied one after the other.</summary>
public sealed class NormalizerSequence(IReadOnlyList<Normalizer> normalizers) : Normalizer
{
    public IReadOnlyList<Normalizer> Normalizers { get; } = normalizers;

    public override string Normalize(string text)
    {
        foreach (var n in Normalizers) text = n.Normalize(text);
        return text;
    }
}
