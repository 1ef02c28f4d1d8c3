using System.Text.Json;
using Streaming.Models.Tokenization.Decoders;
using Streaming.Models.Tokenization.Models;
using Streaming.Models.Tokenization.Normalizers;
using Streaming.Models.Tokenization.PostProcessors;
using Streaming.Models.Tokenization.PreTokenizers;

namespace Streaming.Models.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> tokenizer with a BPE model: byte-level BPE (GPT-2,
/// LLaMA-3, Qwen2/3) and SentencePiece-style BPE with byte fallback (LLaMA-2).
/// </summary>
/// <remarks>
/// Encoding runs the pipeline of the Rust <c>tokenizers</c> crate:
/// <list type="number">
/// <item>added tokens that match raw text (<c>normalized: false</c>) are cut out;</item>
/// <item>each remaining section is normalized, and added tokens that match normalized text are cut out;</item>
/// <item>the pre-tokenizer splits each section into pre-tokens;</item>
/// <item>the model turns each pre-token into ids;</item>
/// <item>the post-processor adds special tokens (BOS) when asked.</item>
/// </list>
/// Instances are immutable apart from the model's cache and safe to share between threads.
/// </remarks>
public sealed class Tokenizer
{
    readonly AddedTokenMatcher _rawAdded;
    readonly AddedTokenMatcher _normalizedAdded;
    readonly Dictionary<int, AddedToken> _addedById;

    public Tokenizer(BpeModel model, Normalizer? normalizer = null, PreTokenizer? preTokenizer = null,
        PostProcessor? postProcessor = null, Decoder? decoder = null, IReadOnlyList<AddedToken>? addedTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Normalizer = normalizer;
        PreTokenizer = preTokenizer;
        PostProcessor = postProcessor;
        Decoder = decoder;
        AddedTokens = addedTokens ?? [];
        _addedById = [];
        foreach (var token in AddedTokens)
            if (!_addedById.TryAdd(token.Id, token)) throw new ArgumentException($"added tokens \"{_addedById[token.Id].Content}\" and \"{token.Content}\" share the id {token.Id}", nameof(addedTokens));
        // Without a normalizer raw and normalized text are the same, so every added token is matched first.
        _rawAdded = new AddedTokenMatcher(AddedTokens.Where(t => !t.Normalized || normalizer is null));
        _normalizedAdded = new AddedTokenMatcher(AddedTokens.Where(t => t.Normalized && normalizer is not null));
    }

    public BpeModel Model { get; }
    public Normalizer? Normalizer { get; }
    public PreTokenizer? PreTokenizer { get; }
    public PostProcessor? PostProcessor { get; }
    public Decoder? Decoder { get; }
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>One more than the largest id, model and added tokens together: the size of an embedding table.</summary>
    public int VocabularySize => Math.Max(Model.VocabularySize, AddedTokens.Count == 0 ? 0 : AddedTokens.Max(t => t.Id) + 1);

    /// <summary>Reads a tokenizer.json file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TokenizerFormatException">The file is not a tokenizer.json we can read; the message names the field.</exception>
    public static Tokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer.json not found at {path}", path);
        using var stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (TokenizerFormatException e)
        {
            throw new TokenizerFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a tokenizer.json from a stream.</summary>
    public static Tokenizer Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"tokenizer.json is not valid JSON: {e.Message}", e);
        }
        using (document) return FromJson(new JsonSection(document.RootElement, "$"));
    }

    /// <summary>Reads a tokenizer.json given as text.</summary>
    public static Tokenizer Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Load(stream);
    }

    static Tokenizer FromJson(JsonSection root)
    {
        if (root.Kind != JsonValueKind.Object) throw root.Error("expected the tokenizer.json object");
        var model = root.Required("model");
        var modelType = model.StringOr("type", "BPE");  // older files leave the type out; their fields say BPE
        if (modelType != "BPE") throw model.Unsupported("model", modelType, "BPE");
        var added = root["added_tokens"].IsNull ? [] : root["added_tokens"].Items().Select(AddedToken.Parse).ToList();
        try
        {
            return new Tokenizer(BpeModel.Parse(model), Normalizer.Parse(root["normalizer"]), PreTokenizer.Parse(root["pre_tokenizer"]),
                PostProcessor.Parse(root["post_processor"]), Decoder.Parse(root["decoder"]), added);
        }
        catch (ArgumentException e)
        {
            throw root["added_tokens"].Error(e.Message);
        }
    }

    /// <summary>The ids of <paramref name="text"/>; with <paramref name="addSpecialTokens"/> the post-processor adds BOS and the like.</summary>
    public List<int> Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var pieces = new List<string>();
        foreach (var section in _rawAdded.Split(text))
        {
            if (section.Token is not null)
            {
                ids.Add(section.Token.Id);
                continue;
            }
            var normalized = Normalizer?.Normalize(section.Text) ?? section.Text;
            var first = true;
            foreach (var sub in _normalizedAdded.Split(normalized))
            {
                if (sub.Token is not null)
                {
                    ids.Add(sub.Token.Id);
                    first = false;
                    continue;
                }
                pieces.Clear();
                if (PreTokenizer is null) pieces.Add(sub.Text);
                else PreTokenizer.Split(sub.Text, atStart: section.Start == 0 && first, pieces);
                foreach (var piece in pieces) Model.Encode(piece, ids);
                first = false;
            }
        }
        return PostProcessor?.Process(ids, addSpecialTokens) ?? ids;
    }

    /// <summary>The text of <paramref name="ids"/>; <paramref name="skipSpecialTokens"/> leaves out special added tokens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is neither in the vocabulary nor an added token.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special)) tokens.Add(added.Content);
                continue;
            }
            tokens.Add(Model.IdToToken(id) ?? throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is neither in the vocabulary nor an added token"));
        }
        return Decoder?.Decode(tokens) ?? string.Join(' ', tokens);
    }

    /// <summary>The id of a token string (as written in the vocabulary), or null.</summary>
    public int? TokenToId(string token)
    {
        foreach (var added in AddedTokens) if (added.Content == token) return added.Id;
        return Model.TokenToId(token);
    }

    /// <summary>The token string of an id, or null.</summary>
    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : Model.IdToToken(id);
}
