namespace Streaming.Models.Tokenization.Decoders;

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing copies of a character from each token (LLaMA-2 drops the space its normalizer prepended).</summary>
public sealed class StripDecoder(char content, int start, int stop) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            var from = 0;
            while (from < start && from < token.Length && token[from] == content) from++;
            var to = token.Length;
            while (token.Length - to < stop && to > from && token[to - 1] == content) to--;
            output.Add(token[from..to]);
        }
        return output;
    }

    internal static StripDecoder FromJson(JsonSection json)
    {
        var content = json.String("content");
        if (content.Length != 1) throw json["content"].Error("expected a single character");
        var start = json.IntOr("start", 0);
        var stop = json.IntOr("stop", 0);
        if (start < 0 || stop < 0) throw json.Error("start and stop cannot be negative");
        return new StripDecoder(content[0], start, stop);
    }
}
