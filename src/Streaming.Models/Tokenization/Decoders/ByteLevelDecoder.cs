using System.Text;

namespace Streaming.Models.Tokenization.Decoders;

/// <summary>
/// Undoes <see cref="ByteLevelAlphabet"/>: the tokens' characters become bytes again, decoded as
/// UTF-8 (invalid sequences, such as a token cut inside a character, become U+FFFD). A token with
/// a character outside the alphabet (an added token) contributes its own UTF-8 bytes.
/// </summary>
public sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            var mark = bytes.Count;
            foreach (var c in token)
            {
                if (ByteLevelAlphabet.TryDecode(c, out var b)) bytes.Add(b);
                else
                {
                    bytes.RemoveRange(mark, bytes.Count - mark);
                    bytes.AddRange(Encoding.UTF8.GetBytes(token));
                    break;
                }
            }
        }
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }
}
