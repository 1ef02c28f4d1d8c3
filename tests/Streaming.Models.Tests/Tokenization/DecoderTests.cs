using Streaming.Models.Tokenization.Decoders;
using Streaming.Models.Tokenization.PreTokenizers;

namespace Streaming.Models.Tests.Tokenization;

public class DecoderTests
{
    [Fact]
    public void ByteFallback_ValidRun_JoinsBytes() =>
        Assert.Equal(["a", "é", "b"], new ByteFallbackDecoder().DecodeChain(["a", "<0xC3>", "<0xA9>", "b"]));

    [Fact]
    public void ByteFallback_InvalidRun_OneReplacementPerByte() =>
        Assert.Equal(["\uFFFD", "\uFFFD", "b"], new ByteFallbackDecoder().DecodeChain(["<0xC3>", "<0xC3>", "b"]));

    [Fact]
    public void Strip_RemovesUpToCount() =>
        Assert.Equal(["  a", "b "], new StripDecoder(' ', 1, 1).DecodeChain(["   a", "b  "]));

    [Fact]
    public void Metaspace_DropsPrependedSpaceOfFirstToken() =>
        Assert.Equal("Hello world", new MetaspaceDecoder('▁', PrependScheme.Always).Decode(["▁Hello", "▁world"]));

    [Fact]
    public void ByteLevel_CutCharacter_BecomesReplacement() =>
        Assert.Equal("a\uFFFD", new ByteLevelDecoder().Decode(["a", "Ã"]));  // 0xC3 alone
}
