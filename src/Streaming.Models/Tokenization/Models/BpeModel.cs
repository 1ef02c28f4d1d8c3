using System.Collections.Concurrent;
using System.Text;

namespace Streaming.Models.Tokenization.Models;

/// <summary>
/// Byte-pair encoding (Sennrich et al. 2016) as the Rust tokenizers apply it: a pre-token starts
/// as one symbol per code point, then the adjacent pair whose merge has the lowest rank is merged,
/// leftmost first, until no pair has a merge. Characters missing from the vocabulary become
/// &lt;0xXX&gt; byte tokens (byte fallback, LLaMA-2) or the unknown token.
/// </summary>
public sealed class BpeModel
{
    /// <summary>Pre-tokens repeat (" the", "Ġ"), so their ids are cached; bounded so a long stream of new words cannot grow it forever.</summary>
    const int CacheCapacity = 65_536;
    const int LongestCachedWord = 256;

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<int, string> _tokens;
    readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> _merges;
    readonly int[] _byteTokens;  // id of <0xXX> per byte, -1 where absent
    readonly int _unknownId;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    /// <summary>Builds the model; merges are listed by rank (first merged first).</summary>
    /// <exception cref="ArgumentException">A merge or the unknown token names a token missing from the vocabulary, or two tokens share an id.</exception>
    public BpeModel(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options)
        : this(vocab, merges, options, static message => new ArgumentException(message))
    {
    }

    BpeModel(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options, Func<string, Exception> invalid)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        _tokens = new Dictionary<int, string>(_vocab.Count);
        foreach (var (token, id) in _vocab)
        {
            if (id < 0) throw invalid($"vocabulary token \"{token}\" has the negative id {id}");
            if (!_tokens.TryAdd(id, token)) throw invalid($"vocabulary tokens \"{_tokens[id]}\" and \"{token}\" share the id {id}");
        }

        _unknownId = -1;
        if (options.UnknownToken is { } unk && !_vocab.TryGetValue(unk, out _unknownId))
            throw invalid($"the unknown token \"{unk}\" is not in the vocabulary");

        var prefixLength = options.ContinuingSubwordPrefix?.Length ?? 0;
        _merges = new(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!_vocab.TryGetValue(left, out var leftId)) throw invalid($"merge {rank} (\"{left}\" \"{right}\"): \"{left}\" is not in the vocabulary");
            if (!_vocab.TryGetValue(right, out var rightId)) throw invalid($"merge {rank} (\"{left}\" \"{right}\"): \"{right}\" is not in the vocabulary");
            // With a continuing-subword prefix ("##"), "a" + "##b" makes "ab".
            var merged = prefixLength > 0 && right.StartsWith(options.ContinuingSubwordPrefix!, StringComparison.Ordinal) ? left + right[prefixLength..] : left + right;
            if (!_vocab.TryGetValue(merged, out var mergedId)) throw invalid($"merge {rank} (\"{left}\" \"{right}\"): the result \"{merged}\" is not in the vocabulary");
            _merges[(leftId, rightId)] = (rank, mergedId);  // a repeated pair keeps its last rank, as the Rust and JS readers do
        }

        _byteTokens = new int[256];
        for (var b = 0; b < 256; b++) _byteTokens[b] = _vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
    }

    public BpeOptions Options { get; }

    public int VocabularySize => _vocab.Count;

    public int MergeCount => _merges.Count;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => _tokens.GetValueOrDefault(id);

    /// <summary>Appends the ids of one pre-token.</summary>
    public void Encode(string word, List<int> output)
    {
        if (word.Length == 0) return;
        if (_cache.TryGetValue(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        // LLaMA-3 sets ignore_merges: a pre-token that is itself a token is taken whole.
        var ids = Options.IgnoreMerges && _vocab.TryGetValue(word, out var whole) ? [whole] : Merge(word);
        if (word.Length < LongestCachedWord && _cache.Count < CacheCapacity) _cache.TryAdd(word, ids);
        output.AddRange(ids);
    }

    public int[] Encode(string word)
    {
        var output = new List<int>();
        Encode(word, output);
        return output.ToArray();
    }

    int[] Merge(string word)
    {
        var symbols = InitialSymbols(word);
        var n = symbols.Count;
        if (n < 2) return symbols.ToArray();

        // A doubly linked list of symbols; a merge keeps the left position and kills the right.
        var id = symbols.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) (prev[i], next[i], alive[i]) = (i - 1, i + 1 < n ? i + 1 : -1, true);

        // Candidate merges ordered by (rank, position); entries made stale by earlier merges are skipped when popped.
        var queue = new PriorityQueue<(int Position, int Left, int Right), long>();
        void Offer(int position)
        {
            var right = next[position];
            if (right >= 0 && _merges.TryGetValue((id[position], id[right]), out var merge))
                queue.Enqueue((position, id[position], id[right]), ((long)merge.Rank << 32) | (uint)position);
        }
        for (var i = 0; i < n - 1; i++) Offer(i);

        while (queue.TryDequeue(out var candidate, out _))
        {
            var (p, left, rightId) = candidate;
            var r = next[p];
            if (!alive[p] || r < 0 || id[p] != left || id[r] != rightId) continue;
            id[p] = _merges[(left, rightId)].Merged;
            alive[r] = false;
            next[p] = next[r];
            if (next[p] >= 0) prev[next[p]] = p;
            if (prev[p] >= 0) Offer(prev[p]);
            Offer(p);
        }

        var result = new List<int>(n);
        for (var i = 0; i >= 0; i = next[i]) result.Add(id[i]);
        return result.ToArray();
    }

    /// <summary>One symbol per code point (with the subword prefix and word suffix where configured), or its byte tokens, or the unknown token.</summary>
    List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        var lastWasUnknown = false;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < word.Length;)
        {
            var rune = Rune.GetRuneAt(word, i);
            var text = rune.ToString();
            var isFirst = i == 0;
            i += rune.Utf16SequenceLength;
            var symbol = text;
            if (!isFirst && Options.ContinuingSubwordPrefix is { } prefix) symbol = prefix + symbol;
            if (i == word.Length && Options.EndOfWordSuffix is { } suffix) symbol += suffix;

            if (_vocab.TryGetValue(symbol, out var known))
            {
                symbols.Add(known);
                lastWasUnknown = false;
                continue;
            }
            if (Options.ByteFallback)
            {
                var count = rune.EncodeToUtf8(utf8);
                var all = true;
                for (var b = 0; b < count; b++) all &= _byteTokens[utf8[b]] >= 0;
                if (all)
                {
                    for (var b = 0; b < count; b++) symbols.Add(_byteTokens[utf8[b]]);
                    lastWasUnknown = false;
                    continue;
                }
            }
            // Without an unknown token the character is dropped, as in the Rust implementation.
            if (_unknownId < 0) continue;
            if (!(Options.FuseUnknown && lastWasUnknown)) symbols.Add(_unknownId);
            lastWasUnknown = true;
        }
        return symbols;
    }

    internal static BpeModel Parse(JsonSection json)
    {
        var options = new BpeOptions
        {
            UnknownToken = json["unk_token"].OptionalString(),
            ByteFallback = json.BoolOr("byte_fallback", false),
            FuseUnknown = json.BoolOr("fuse_unk", false),
            IgnoreMerges = json.BoolOr("ignore_merges", false),
            ContinuingSubwordPrefix = NullIfEmpty(json["continuing_subword_prefix"].OptionalString()),
            EndOfWordSuffix = NullIfEmpty(json["end_of_word_suffix"].OptionalString()),
        };
        var dropout = json["dropout"];
        if (!dropout.IsNull && dropout.Element.GetDouble() > 0) throw dropout.Error("BPE dropout is not supported (it makes encoding random)");

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in json.Required("vocab").Properties()) vocab[token] = id.Int();

        var merges = new List<(string, string)>();
        foreach (var merge in json.Required("merges").Items())
        {
            if (merge.Kind == System.Text.Json.JsonValueKind.String)
            {
                var parts = merge.String().Split(' ');
                if (parts.Length != 2) throw merge.Error($"expected \"left right\" (two tokens and one space), found \"{merge.String()}\"");
                merges.Add((parts[0], parts[1]));
            }
            else
            {
                var parts = merge.Items().ToArray();
                if (parts.Length != 2) throw merge.Error($"expected a pair [left, right], found {parts.Length} items");
                merges.Add((parts[0].String(), parts[1].String()));
            }
        }
        return new BpeModel(vocab, merges, options, json.Error);
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
