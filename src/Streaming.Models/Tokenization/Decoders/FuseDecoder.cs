namespace Streaming.Models.Tokenization.Decoders;

/// <summary>Concatenates all tokens into one, so that later steps (Strip) see the whole text.</summary>
public sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}
