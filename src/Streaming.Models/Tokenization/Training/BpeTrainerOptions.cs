namespace Streaming.Models.Tokenization.Training;

/// <summary>What <see cref="BpeTrainer"/> learns.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Target size of the vocabulary, special tokens and the 256 byte symbols included; training stops earlier when no pair is frequent enough.</summary>
    public int VocabularySize { get; init; } = 1024;

    /// <summary>A pair seen fewer times than this is not merged.</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>Special tokens, given the first ids in this order (GPT-2 style end-of-text by default).</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["<|endoftext|>"];

    internal void Validate()
    {
        if (MinFrequency < 1) throw new ArgumentOutOfRangeException(nameof(MinFrequency), MinFrequency, "must be at least 1");
        if (SpecialTokens.Any(string.IsNullOrEmpty)) throw new ArgumentException("special tokens cannot be empty", nameof(SpecialTokens));
        if (SpecialTokens.Distinct(StringComparer.Ordinal).Count() != SpecialTokens.Count) throw new ArgumentException("special tokens must be distinct", nameof(SpecialTokens));
        var floor = SpecialTokens.Count + 256;
        if (VocabularySize < floor) throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, $"must hold the special tokens and the 256 byte symbols ({floor})");
    }
}
