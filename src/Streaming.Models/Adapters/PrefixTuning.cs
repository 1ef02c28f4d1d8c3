using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Adapters;

/// <summary>
/// P-Tuning v2 (Liu et al. 2022): P learned key/value pairs in front of every layer's attention, attended by
/// every token. Stored as PEFT's prefix tuning stores them, one table <c>prompt_embeddings</c>
/// (P, layers * 2 * Hkv * D) whose column block 2l holds layer l's keys and 2l+1 its values. Keys are used
/// as they are (already "rotated"), and text positions start at P, as when PEFT hands them to transformers
/// as past key values. Attach with <c>model.Prefix = prefix</c>.
/// </summary>
public sealed class PrefixTuning : Module, IAttentionPrefix
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";

    readonly LlamaConfig model;

    public PrefixTuning(LlamaConfig model, int numVirtualTokens, Random rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rng);
        if (numVirtualTokens <= 0) throw new ArgumentOutOfRangeException(nameof(numVirtualTokens), $"PrefixTuning: {numVirtualTokens} virtual tokens; need at least one.");
        this.model = model.Validate();
        NumVirtualTokens = numVirtualTokens;
        // PEFT's torch.nn.Embedding default: N(0, 1).
        PromptEmbeddings = Parameter("prompt_embeddings", Init.Normal(rng, 0f, 1f, numVirtualTokens, model.NumHiddenLayers * 2 * KvWidth));
    }

    /// <summary>
    /// Sets every layer's prompts to the keys and values <paramref name="lm"/> computes for the first P of
    /// <paramref name="tokens"/> (repeated if there are fewer), at positions 0..P-1: prompts that start as real text at
    /// the model's own scale, as prefix tuning initializes from real words, rather than N(0, 1).
    /// </summary>
    public void InitializeFrom(LlamaModel lm, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("PrefixTuning: no tokens to initialize the prompts from.", nameof(tokens));
        if (lm.Prefix is not null) throw new ArgumentException("PrefixTuning: the model already carries prompts; initialize from the bare model.", nameof(lm));
        if (lm.Config.NumHiddenLayers != model.NumHiddenLayers || lm.Config.NumKeyValueHeads * lm.Config.HeadDim != KvWidth)
            throw new ArgumentException("PrefixTuning: the prompts were made for another base model.", nameof(lm));
        int P = NumVirtualTokens, Hkv = model.NumKeyValueHeads, D = model.HeadDim, width = PromptEmbeddings.Shape[1];
        var cache = new KvCache(lm.Config, 1, P);
        using (GradMode.Disable())
            lm.Forward([.. Enumerable.Range(0, P).Select(i => tokens[i % tokens.Count])], 1, [.. Enumerable.Range(0, P)], cache: cache, computeLogits: false);
        var table = PromptEmbeddings.Data;
        for (int layer = 0; layer < model.NumHiddenLayers; layer++)
        {
            var (keys, values) = cache.Layer(layer);                                    // (1, Hkv, P, D)
            var k = keys.ToArray();
            var v = values.ToArray();
            for (int p = 0; p < P; p++)
                for (int h = 0; h < Hkv; h++)
                {
                    Array.Copy(k, (h * P + p) * D, table, p * width + (2 * layer * Hkv + h) * D, D);
                    Array.Copy(v, (h * P + p) * D, table, p * width + ((2 * layer + 1) * Hkv + h) * D, D);
                }
        }
    }

    /// <summary>P, the prefix length.</summary>
    public int NumVirtualTokens { get; }

    int IAttentionPrefix.Length => NumVirtualTokens;

    /// <summary>(P, layers * 2 * Hkv * D).</summary>
    public Tensor PromptEmbeddings { get; }

    int KvWidth => model.NumKeyValueHeads * model.HeadDim;

    /// <summary>Layer <paramref name="layer"/>'s prefix keys and values, each (B, Hkv, P, D), broadcast over the batch.</summary>
    public (Tensor Keys, Tensor Values) KeysValues(int layer, int batch)
    {
        int P = NumVirtualTokens, Hkv = model.NumKeyValueHeads, D = model.HeadDim;
        Tensor Block(int index) => PromptEmbeddings.Narrow(1, index * KvWidth, KvWidth)   // (P, Hkv*D)
            .Reshape(P, Hkv, D).Transpose(0, 1)                                           // (Hkv, P, D)
            .Unsqueeze(0).Expand(batch, Hkv, P, D);                                       // (B, Hkv, P, D)
        return (Block(2 * layer), Block(2 * layer + 1));
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        ConfigJson.Write(Path.Combine(directory, ConfigFileName), new JsonObject
        {
            ["peft_type"] = "PREFIX_TUNING",
            ["task_type"] = "CAUSAL_LM",
            ["num_virtual_tokens"] = NumVirtualTokens,
            ["num_layers"] = model.NumHiddenLayers,
            ["num_attention_heads"] = model.NumKeyValueHeads,
            ["token_dim"] = KvWidth,
            ["prefix_projection"] = false,
        });
        AdapterFiles.WriteWeights(Path.Combine(directory, WeightsFileName), this);
    }

    public static PrefixTuning Load(string directory, LlamaConfig model)
    {
        var json = AdapterFiles.ReadConfig(directory, ConfigFileName, "PREFIX_TUNING");
        if (json.Bool("prefix_projection", false))
            throw json.Invalid("prefix_projection", "a reparameterized prefix (an MLP over the embeddings) is not supported; save the projected prefix instead");
        ArgumentNullException.ThrowIfNull(model);
        if (json.PositiveInt("num_layers") != model.NumHiddenLayers)
            throw json.Invalid("num_layers", $"prompts for {json.PositiveInt("num_layers")} layers, but the base model has {model.NumHiddenLayers}; they were trained for another base model");
        int kvWidth = model.NumKeyValueHeads * model.HeadDim;
        if (json.PositiveInt("token_dim") != kvWidth)
            throw json.Invalid("token_dim", $"prompts of width {json.PositiveInt("token_dim")}, but the base model's keys are {kvWidth} wide; they were trained for another base model");
        var prefix = new PrefixTuning(model, json.PositiveInt("num_virtual_tokens"), new Random(0));
        AdapterFiles.ReadWeights(Path.Combine(directory, WeightsFileName), prefix);
        return prefix;
    }
}
