using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.PreTokenizers;

namespace Streaming.Models.Tests.Tokenization;

public class SplitBehaviorTests
{
    static string Split(string json, string text)
    {
        var tokenizerJson = $$$"""{"pre_tokenizer": {{{json}}}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""";
        return string.Join("|", Tokenizer.Parse(tokenizerJson).PreTokenizer!.Split(text));
    }

    [Theory]
    [InlineData("Removed", false, "a|b|c")]
    [InlineData("Isolated", false, "a|-|b|-|-|c")]
    [InlineData("MergedWithPrevious", false, "a-|b-|-|c")]
    [InlineData("MergedWithNext", false, "a|-b|-|-c")]
    [InlineData("Contiguous", false, "a|-|b|--|c")]
    [InlineData("Removed", true, "-|-|-")]
    [InlineData("MergedWithPrevious", true, "a|-b|-|-c")]
    public void Split_Behavior_CutsAsRust(string behavior, bool invert, string expected) =>
        Assert.Equal(expected, Split($$$"""{"type": "Split", "pattern": {"String": "-"}, "behavior": "{{{behavior}}}", "invert": {{{(invert ? "true" : "false")}}}}""", "a-b--c"));

    [Fact]
    public void Split_RegexOverAstralText_MatchesCodePoints()
    {
        // .NET alone sees "😀" as two Cs units and would not let [^\p{L}]? take it before the letters.
        Assert.Equal("😀abc| 𝐀𝐁", Split("""{"type": "Split", "pattern": {"Regex": "[^\\p{L}]?\\p{L}+"}, "behavior": "Isolated", "invert": false}""", "😀abc 𝐀𝐁"));
    }

    [Fact]
    public void Metaspace_SplitsBeforeEachSpace()
    {
        Assert.Equal(["▁Hello", "▁world", "▁", "▁x"], new MetaspacePreTokenizer('▁', PrependScheme.Always, split: true).Split("Hello world  x"));
        Assert.Equal(["a▁b"], new MetaspacePreTokenizer('▁', PrependScheme.First, split: false).Split("a b", atStart: false));
    }

    [Fact]
    public void Digits_Individual_IsolatesEachDigit() =>
        Assert.Equal(["a", "1", "2", "b"], new DigitsPreTokenizer(individualDigits: true).Split("a12b"));

    [Theory]
    [InlineData(System.Globalization.UnicodeCategory.UppercaseLetter)]
    [InlineData(System.Globalization.UnicodeCategory.OtherLetter)]
    [InlineData(System.Globalization.UnicodeCategory.DecimalDigitNumber)]
    [InlineData(System.Globalization.UnicodeCategory.OtherSymbol)]
    [InlineData(System.Globalization.UnicodeCategory.Format)]
    [InlineData(System.Globalization.UnicodeCategory.NonSpacingMark)]
    public void StandIn_HasItsCategory(System.Globalization.UnicodeCategory category) =>
        Assert.Equal(category, char.GetUnicodeCategory(CodePointRegex.StandIn(category)));
}
