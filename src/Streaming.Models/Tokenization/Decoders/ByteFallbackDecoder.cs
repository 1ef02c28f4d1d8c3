using System.Globalization;
using System.Text;

namespace Streaming.Models.Tokenization.Decoders;

/// <summary>
/// Joins runs of &lt;0xXX&gt; byte tokens into the characters they spell. A run that is not valid
/// UTF-8 becomes one U+FFFD per byte, as in the Rust decoder.
/// </summary>
public sealed class ByteFallbackDecoder : Decoder
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var run = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByte(token, out var b))
            {
                run.Add(b);
                continue;
            }
            Flush(run, output);
            output.Add(token);
        }
        Flush(run, output);
        return output;
    }

    static void Flush(List<byte> run, List<string> output)
    {
        if (run.Count == 0) return;
        try
        {
            output.Add(StrictUtf8.GetString(run.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            for (var i = 0; i < run.Count; i++) output.Add("\uFFFD");
        }
        run.Clear();
    }

    static bool TryParseByte(string token, out byte b)
    {
        b = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out b);
    }
}
