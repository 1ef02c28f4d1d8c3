namespace Streaming.Models.Tokenization.Models;

/// <summary>The knobs of a BPE model, named after their tokenizer.json fields.</summary>
public sealed record BpeOptions
{
    /// <summary><c>unk_token</c>: stands for characters the vocabulary cannot spell; null drops them.</summary>
    public string? UnknownToken { get; init; }

    /// <summary><c>byte_fallback</c>: spell unknown characters as &lt;0xXX&gt; byte tokens (LLaMA-2) before resorting to the unknown token.</summary>
    public bool ByteFallback { get; init; }

    /// <summary><c>fuse_unk</c>: consecutive unknown characters become one unknown token.</summary>
    public bool FuseUnknown { get; init; }

    /// <summary><c>ignore_merges</c>: a pre-token that is already in the vocabulary is not merged (LLaMA-3).</summary>
    public bool IgnoreMerges { get; init; }

    /// <summary><c>continuing_subword_prefix</c>: marks symbols that do not start a word ("##" in WordPiece-style BPE).</summary>
    public string? ContinuingSubwordPrefix { get; init; }

    /// <summary><c>end_of_word_suffix</c>: marks the last symbol of a word ("&lt;/w&gt;" in the original BPE).</summary>
    public string? EndOfWordSuffix { get; init; }
}
