using Streaming.Models.ActionSentences;
using Streaming.Models.EventTokens;
using Streaming.Models.Observations;

namespace Streaming.Models.LlmAr;

/// <summary>The tokenizers a recognizer folder can hold, by the kind its config records.</summary>
public static class ObservationTokenizers
{
    public static IReadOnlyList<string> Kinds { get; } = [ActionSentenceTokenizer.TokenizerKind, EventTokenizer.TokenizerKind];

    /// <summary>The config file each kind writes (what a fresh training run clears).</summary>
    public static IReadOnlyList<string> ConfigFiles { get; } = [ActionSentenceTokenizer.ConfigFile, EventTokenizer.ConfigFile];

    /// <summary>The kind a folder records for <paramref name="tokenizer"/>.</summary>
    public static string Kind(LlmArTokenizer tokenizer) => tokenizer switch
    {
        LlmArTokenizer.ActionSentences => ActionSentenceTokenizer.TokenizerKind,
        LlmArTokenizer.EventTokens => EventTokenizer.TokenizerKind,
        _ => throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer, null),
    };

    /// <summary>Loads the <paramref name="kind"/> tokenizer saved in <paramref name="folder"/>.</summary>
    public static ObservationTokenizer Load(string folder, string kind) => kind switch
    {
        ActionSentenceTokenizer.TokenizerKind => ActionSentenceTokenizer.Load(folder),
        EventTokenizer.TokenizerKind => EventTokenizer.Load(folder),
        _ => throw new InvalidDataException($"{Path.GetFullPath(folder)}: tokenizer '{kind}' is not one this version knows ({string.Join(", ", Kinds)})."),
    };

    /// <summary>The <paramref name="tokenizer"/> tokenizer saved in <paramref name="folder"/>, or null when none is.</summary>
    public static ObservationTokenizer? LoadSaved(string folder, LlmArTokenizer tokenizer) => tokenizer switch
    {
        LlmArTokenizer.ActionSentences => File.Exists(Path.Combine(folder, ActionSentenceTokenizer.ConfigFile)) ? ActionSentenceTokenizer.Load(folder) : null,
        LlmArTokenizer.EventTokens => File.Exists(Path.Combine(folder, EventTokenizer.ConfigFile)) ? EventTokenizer.Load(folder) : null,
        _ => throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer, null),
    };
}
