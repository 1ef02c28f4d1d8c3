using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Models.Tests.Tokenization;

/// <summary>A byte-level BPE learnt from the 50 Salads action transcripts, read by us and by the peer.</summary>
public class BpeTrainerTests
{
    static readonly string[] Transcripts = Directory.GetFiles(SharedData.Path("50salads", "transcripts"), "*.txt")
        .Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    static readonly Lazy<TrainedBpe> Trained = new(() =>
        new BpeTrainer(new BpeTrainerOptions { VocabularySize = 400, SpecialTokens = ["<|endoftext|>", "<|im_start|>"] }).Train(Transcripts));

    [Fact]
    public void Train_Transcripts_EachWordOfAnActionIsOneToken()
    {
        var tokenizer = Trained.Value.ToTokenizer();
        // The transcripts run out of pairs seen twice before 400.
        Assert.InRange(tokenizer.VocabularySize, 2 + 256 + 50, 400);
        foreach (var action in File.ReadLines(SharedData.Path("50salads", "mapping.txt")).Select(l => l.Split(' ')[1]))
        {
            // GPT-2's regex cuts "cut_tomato" into "cut", "_", "tomato": each piece should be learnt as one token.
            var pieces = 2 * action.Split('_').Length - 1;
            Assert.True(tokenizer.Encode(action).Count == pieces, $"{action} takes {tokenizer.Encode(action).Count} tokens, not {pieces}");
        }
    }

    [Fact]
    public void Train_Twice_SameMerges() =>
        Assert.Equal(Trained.Value.Merges, new BpeTrainer(new BpeTrainerOptions { VocabularySize = 400, SpecialTokens = ["<|endoftext|>", "<|im_start|>"] }).Train(Transcripts).Merges);

    [Fact]
    public void Train_WrittenJson_PeerGivesSameIds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trained-{Guid.NewGuid():N}.json");
        Trained.Value.Save(path);
        try
        {
            var tokenizer = Tokenizer.Load(path);
            string[] texts = [.. Transcripts, .. Corpus.Plain, .. Corpus.WithSpecialTokens];
            var peer = NodePeer.Run(path, texts, addSpecialTokens: true);
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(peer.Ids[i], tokenizer.Encode(texts[i]));
                Assert.Equal(peer.Decoded[i], tokenizer.Decode(peer.Ids[i]));
            }
            foreach (var text in texts) Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Options_TooSmallVocabulary_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpeTrainer(new BpeTrainerOptions { VocabularySize = 100 }));
}
