namespace Streaming.Models.Tokenization.Decoders;

/// <summary>
/// Turns tokens back into text. Decoders form a chain: each rewrites the list of token strings
/// (bytes back to characters, "▁" back to spaces) and the last list is concatenated.
/// </summary>
public abstract class Decoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    public string Decode(List<string> tokens) => string.Concat(DecodeChain(tokens));

    internal static Decoder? Parse(JsonSection json)
    {
        if (json.IsNull) return null;
        var type = json.Type();
        return type switch
        {
            "Sequence" => new DecoderSequence(json.Required("decoders").Items().Select(d => Parse(d) ?? throw d.Error("a null decoder inside a Sequence")).ToArray()),
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new MetaspaceDecoder(PreTokenizers.MetaspacePreTokenizer.ParseReplacement(json), PreTokenizers.MetaspacePreTokenizer.ParseScheme(json)),
            "Replace" => new ReplaceDecoder(TextPattern.Parse(json.Required("pattern")), json.StringOr("content", "")),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => StripDecoder.FromJson(json),
            _ => throw json.Unsupported("decoder", type, "Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip"),
        };
    }
}
