using System.Collections.Concurrent;
using System.Text;
using Streaming.Models.Tokenization;

namespace Streaming.Models.Tests.Tokenization;

/// <summary>Our ids and decoded text against Hugging Face's JavaScript tokenizers on real tokenizer.json files.</summary>
public class PeerAgreementTests
{
    static readonly ConcurrentDictionary<string, Tokenizer> Loaded = new();

    static Tokenizer Load(string model) => Loaded.GetOrAdd(model, m => Tokenizer.Load(NodePeer.TokenizerJson(m)));

    static readonly string[] Texts = [.. Corpus.Plain, .. Corpus.WithSpecialTokens];

    [Theory]
    [InlineData("qwen3", true)]
    [InlineData("qwen3", false)]
    [InlineData("llama2", true)]
    [InlineData("llama2", false)]
    [InlineData("llama3", true)]
    [InlineData("llama3", false)]
    public void Encode_Corpus_SameIdsAsPeer(string model, bool addSpecialTokens)
    {
        var tokenizer = Load(model);
        var peer = NodePeer.Run(NodePeer.TokenizerJson(model), Texts, addSpecialTokens);
        for (var i = 0; i < Texts.Length; i++)
            Assert.True(peer.Ids[i].SequenceEqual(tokenizer.Encode(Texts[i], addSpecialTokens)),
                $"{model}: text {i} \"{Texts[i]}\"\n peer: [{string.Join(", ", peer.Ids[i])}]\n ours: [{string.Join(", ", tokenizer.Encode(Texts[i], addSpecialTokens))}]");
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama2")]
    [InlineData("llama3")]
    public void Decode_PeerIds_SameTextAsPeer(string model)
    {
        var tokenizer = Load(model);
        var peer = NodePeer.Run(NodePeer.TokenizerJson(model), Texts, addSpecialTokens: false);
        for (var i = 0; i < Texts.Length; i++)
            Assert.Equal(peer.Decoded[i], tokenizer.Decode(peer.Ids[i]));
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama2")]
    [InlineData("llama3")]
    public void Decode_Encode_ReturnsText(string model)
    {
        var tokenizer = Load(model);
        foreach (var text in Corpus.Plain)
        {
            // Qwen normalizes to NFC, so NFC is what comes back.
            var expected = model == "qwen3" ? text.Normalize(NormalizationForm.FormC) : text;
            Assert.Equal(expected, tokenizer.Decode(tokenizer.Encode(text, addSpecialTokens: false)));
        }
    }

    [Fact]
    public void Encode_Llama2_AddsBosOnlyWhenAsked()
    {
        var tokenizer = Load("llama2");
        Assert.Equal(1, tokenizer.Encode("Hello")[0]);
        Assert.NotEqual(1, tokenizer.Encode("Hello", addSpecialTokens: false)[0]);
    }

    [Fact]
    public void Encode_Qwen3_SplitsDigitsAndKeepsSpecialTokens()
    {
        var tokenizer = Load("qwen3");
        var ids = tokenizer.Encode("<|im_start|>12345");
        Assert.Equal(tokenizer.TokenToId("<|im_start|>"), ids[0]);
        Assert.Equal(6, ids.Count);
        Assert.Equal("12345", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Encode_LongWordWithoutSpaces_IsFast()
    {
        // LLaMA-2 has no pre-tokenizer: the whole text is one word for the merge loop.
        var tokenizer = Load("llama2");
        var text = string.Concat(Enumerable.Repeat("abcdefghij", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ids = tokenizer.Encode(text, addSpecialTokens: false);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"200k characters took {watch.Elapsed}");
        Assert.Equal(text, tokenizer.Decode(ids));
    }
}
