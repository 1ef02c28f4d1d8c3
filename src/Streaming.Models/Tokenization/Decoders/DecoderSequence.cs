namespace Streaming.Models.Tokenization.Decoders;

/// <summary>Decoders applied in turn to the token list (LLaMA-2: Replace, ByteFallback, Fuse, Strip).</summary>
public sealed class DecoderSequence(IReadOnlyList<Decoder> steps) : Decoder
{
    public IReadOnlyList<Decoder> Steps { get; } = steps;

    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in Steps) tokens = step.DecodeChain(tokens);
        return tokens;
    }
}
