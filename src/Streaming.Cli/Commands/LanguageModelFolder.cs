using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Commands;

/// <summary>
/// A Hugging Face checkpoint folder as <c>streaming lm</c> takes it: config.json, model.safetensors (or shards listed by
/// model.safetensors.index.json) and tokenizer.json, with the ids that end generation.
/// </summary>
public sealed record LanguageModelFolder(LlamaModel Model, Tokenizer Tokenizer, IReadOnlyList<int> EosTokenIds)
{
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>Loads <paramref name="folder"/>; a missing folder or file is a <see cref="FileNotFoundException"/> naming it and what the folder needs.</summary>
    public static LanguageModelFolder Load(string folder)
    {
        var full = Path.GetFullPath(folder);
        const string Needs = "a Hugging Face checkpoint folder holds config.json, model.safetensors (or shards with model.safetensors.index.json) and tokenizer.json";
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"model folder {full} not found; pass --model <folder>: {Needs}.");
        foreach (var file in new[] { HfCheckpoint.ConfigFileName, TokenizerFileName })
            if (!File.Exists(Path.Combine(full, file)))
                throw new FileNotFoundException($"model folder {full} has no {file}; {Needs}.", Path.Combine(full, file));
        if (!File.Exists(Path.Combine(full, HfCheckpoint.SingleFileName)) && !File.Exists(Path.Combine(full, HfCheckpoint.IndexFileName)))
            throw new FileNotFoundException($"model folder {full} has no {HfCheckpoint.SingleFileName} or {HfCheckpoint.IndexFileName}; {Needs}.",
                Path.Combine(full, HfCheckpoint.SingleFileName));
        return new LanguageModelFolder(HfCheckpoint.Load(full), Tokenizer.Load(Path.Combine(full, TokenizerFileName)), HfCheckpoint.EosTokenIds(full));
    }

    /// <summary>The ids of <paramref name="text"/> with the tokenizer's special tokens (BOS and the like), as transformers' tokenizer(text) gives them.</summary>
    public int[] Encode(string text, string option)
    {
        if (string.IsNullOrEmpty(text)) throw new ArgumentException($"{option} is empty; give the text to run the model on.");
        var ids = Tokenizer.Encode(text).ToArray();
        if (ids.Length == 0) throw new ArgumentException($"{option} encodes to no tokens.");
        foreach (var id in ids)
            if (id >= Model.Config.VocabSize)
                throw new InvalidDataException($"{option}: token id {id} is outside the model's vocabulary (vocab_size {Model.Config.VocabSize}); tokenizer.json does not belong to this checkpoint.");
        if (ids.Length > Model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{option} is {ids.Length} tokens, more than the model's max_position_embeddings {Model.Config.MaxPositionEmbeddings}.");
        return ids;
    }
}
