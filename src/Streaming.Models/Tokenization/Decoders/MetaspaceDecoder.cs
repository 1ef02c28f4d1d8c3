using System.Text;
using Streaming.Models.Tokenization.PreTokenizers;

namespace Streaming.Models.Tokenization.Decoders;

/// <summary>Turns "▁" back into spaces; in the first token, where the pre-tokenizer prepended them, they are dropped (as in the Rust decoder).</summary>
public sealed class MetaspaceDecoder(char replacement, PrependScheme prependScheme) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var dropReplacement = i == 0 && prependScheme != PrependScheme.Never;
            var sb = new StringBuilder(tokens[i].Length);
            foreach (var c in tokens[i])
            {
                if (c != replacement) sb.Append(c);
                else if (!dropReplacement) sb.Append(' ');
            }
            output.Add(sb.ToString());
        }
        return output;
    }
}
