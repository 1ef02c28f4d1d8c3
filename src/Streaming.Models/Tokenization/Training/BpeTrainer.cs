using Streaming.Models.Tokenization.PreTokenizers;

namespace Streaming.Models.Tokenization.Training;

/// <summary>
/// Learns a GPT-2 style byte-level BPE from a corpus: text is split with GPT-2's regex and spelled
/// in <see cref="ByteLevelAlphabet"/>, and the most frequent adjacent pair is merged, again and
/// again, until the vocabulary is full. The 256 byte symbols are always in the vocabulary, so the
/// result encodes any text.
/// </summary>
/// <remarks>
/// Pair counts are recomputed each round over the distinct words, which is quick for corpora of
/// the size of action transcripts (tens of thousands of words), not for web-scale text.
/// </remarks>
public sealed class BpeTrainer
{
    static readonly ByteLevelPreTokenizer Words = new(addPrefixSpace: false, useRegex: true);

    readonly BpeTrainerOptions _options;

    public BpeTrainer(BpeTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public TrainedBpe Train(IEnumerable<string> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (var word in Words.Split(text))
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;

        // Each distinct word as its current symbols, with how often it occurs.
        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: w.Key.Select(c => c.ToString()).ToList(), Count: w.Value)).ToList();

        var vocabulary = new List<string>(_options.SpecialTokens);
        for (var b = 0; b < 256; b++) vocabulary.Add(ByteLevelAlphabet.Encode((byte)b).ToString());
        var known = new HashSet<string>(vocabulary, StringComparer.Ordinal);
        var merges = new List<(string Left, string Right)>();

        while (vocabulary.Count < _options.VocabularySize)
        {
            var best = MostFrequentPair(words);
            if (best is null || best.Value.Count < _options.MinFrequency) break;
            var (left, right, _) = best.Value;
            var merged = left + right;
            foreach (var (symbols, _) in words) MergeInPlace(symbols, left, right, merged);
            merges.Add((left, right));
            if (known.Add(merged)) vocabulary.Add(merged);
        }
        return new TrainedBpe(vocabulary, merges, _options.SpecialTokens);
    }

    /// <summary>The pair with the highest count; ties go to the ordinally smallest pair so training is deterministic.</summary>
    static (string Left, string Right, int Count)? MostFrequentPair(List<(List<string> Symbols, int Count)> words)
    {
        var counts = new Dictionary<(string, string), int>();
        foreach (var (symbols, count) in words)
            for (var i = 0; i + 1 < symbols.Count; i++)
                counts[(symbols[i], symbols[i + 1])] = counts.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;

        (string, string, int)? best = null;
        foreach (var ((left, right), count) in counts)
        {
            if (best is not { } b || count > b.Item3 || (count == b.Item3 && ComparePairs(left, right, b.Item1, b.Item2) < 0))
                best = (left, right, count);
        }
        return best;
    }

    static int ComparePairs(string leftA, string rightA, string leftB, string rightB)
    {
        var c = string.CompareOrdinal(leftA, leftB);
        return c != 0 ? c : string.CompareOrdinal(rightA, rightB);
    }

    static void MergeInPlace(List<string> symbols, string left, string right, string merged)
    {
        var write = 0;
        for (var read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else symbols[write++] = symbols[read];
        }
        symbols.RemoveRange(write, symbols.Count - write);
    }
}
