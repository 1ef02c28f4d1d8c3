using Streaming.Models.Tokenization.Models;

namespace Streaming.Models.Tests.Tokenization;

/// <summary>The merge loop and its options on tiny vocabularies.</summary>
public class BpeModelTests
{
    static BpeModel Model(string[] tokens, (string, string)[] merges, BpeOptions? options = null) =>
        new(tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), merges, options ?? new BpeOptions());

    [Fact]
    public void Encode_MergesLowestRankFirst()
    {
        // "b c" outranks "a b": "abc" becomes a + bc, not ab + c.
        var model = Model(["a", "b", "c", "ab", "bc"], [("b", "c"), ("a", "b")]);
        Assert.Equal([0, 4], model.Encode("abc"));
    }

    [Fact]
    public void Encode_EqualRanks_MergeLeftmostFirst()
    {
        var model = Model(["a", "aa", "aaaa"], [("a", "a"), ("aa", "aa")]);
        Assert.Equal([2, 0], model.Encode("aaaaa"));
    }

    [Fact]
    public void Encode_ByteFallback_SpellsUnknownCharacterInBytes()
    {
        var tokens = new[] { "<unk>", "a" }.Concat(Enumerable.Range(0, 256).Select(b => $"<0x{b:X2}>")).ToArray();
        var model = Model(tokens, [], new BpeOptions { UnknownToken = "<unk>", ByteFallback = true });
        Assert.Equal([1, 2 + 0xC3, 2 + 0xA9, 1], model.Encode("aéa"));
    }

    [Fact]
    public void Encode_FuseUnknown_OneUnknownPerRun()
    {
        var tokens = new[] { "<unk>", "a" };
        Assert.Equal([1, 0, 1], Model(tokens, [], new BpeOptions { UnknownToken = "<unk>", FuseUnknown = true }).Encode("axya"));
        Assert.Equal([1, 0, 0, 1], Model(tokens, [], new BpeOptions { UnknownToken = "<unk>" }).Encode("axya"));
        Assert.Equal([1, 1], Model(tokens, []).Encode("axya"));
    }

    [Fact]
    public void Encode_IgnoreMerges_TakesWholeWord()
    {
        // "abc" is in the vocabulary but no merge path leads there.
        string[] tokens = ["a", "b", "c", "ab", "abc"];
        (string, string)[] merges = [("a", "b")];
        Assert.Equal([3, 2], Model(tokens, merges).Encode("abc"));
        Assert.Equal([4], Model(tokens, merges, new BpeOptions { IgnoreMerges = true }).Encode("abc"));
    }

    [Fact]
    public void Encode_AstralCharacter_IsOneSymbol()
    {
        var model = Model(["😀", "x", "😀x"], [("😀", "x")]);
        Assert.Equal([2], model.Encode("😀x"));
    }
}
