namespace Streaming.Models.Tokenization;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable characters: printable Latin-1
/// bytes stand for themselves, the others (controls, space, soft hyphen) are shifted to U+0100 and
/// up, so a space is "Ġ" and a newline "Ċ". Byte-level BPE vocabularies are written in this alphabet.
/// </summary>
public static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = BuildByteToChar();
    static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    public static char Encode(byte b) => ByteToChar[b];

    public static bool TryDecode(char c, out byte b) => CharToByte.TryGetValue(c, out b);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, one alphabet character each.</summary>
    public static string Encode(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, static (span, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++) span[i] = ByteToChar[bytes[i]];
        });
    }

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        var shifted = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + shifted++);
        }
        return map;
    }
}
