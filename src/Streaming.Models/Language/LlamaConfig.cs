using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;

namespace Streaming.Models.Language;

/// <summary>
/// The shape of a LLaMA / Qwen2 decoder, with Hugging Face's config.json names in the comments. The two
/// families differ only in which projections carry a bias: Qwen2 always has q/k/v biases; LLaMA has
/// biases on q/k/v/o when <c>attention_bias</c> is set.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary><c>model_type</c>: "llama" or "qwen2".</summary>
    public string ModelType { get; init; } = "llama";

    public int VocabSize { get; init; } = 256;                 // vocab_size

    public int HiddenSize { get; init; } = 64;                 // hidden_size: C, the residual width

    public int IntermediateSize { get; init; } = 176;          // intermediate_size: SwiGLU width

    public int NumHiddenLayers { get; init; } = 2;             // num_hidden_layers

    public int NumAttentionHeads { get; init; } = 4;           // num_attention_heads: H

    public int NumKeyValueHeads { get; init; } = 2;            // num_key_value_heads: Hkv; H / Hkv query heads share a kv head

    /// <summary><c>head_dim</c>: D; hidden_size / num_attention_heads unless the config says otherwise.</summary>
    public int HeadDim { get; init; } = 16;

    public float RmsNormEps { get; init; } = 1e-6f;            // rms_norm_eps

    public float RopeTheta { get; init; } = 10000f;            // rope_theta

    public int MaxPositionEmbeddings { get; init; } = 2048;    // max_position_embeddings: positions must stay below it

    public bool TieWordEmbeddings { get; init; }               // tie_word_embeddings: lm_head reuses embed_tokens

    /// <summary>LLaMA's <c>attention_bias</c>: biases on q, k, v and o. Ignored for Qwen2, whose q/k/v biases are fixed.</summary>
    public bool AttentionBias { get; init; }

    /// <summary>eos_token_id: the token that ends generation (the first one when config.json lists several); null when not given.</summary>
    public int? EosTokenId { get; init; }

    /// <summary>Whether q_proj, k_proj and v_proj have biases.</summary>
    public bool QkvBias => ModelType == "qwen2" || AttentionBias;

    /// <summary>Whether o_proj has a bias (LLaMA with attention_bias only).</summary>
    public bool OutputBias => ModelType == "llama" && AttentionBias;

    /// <summary>A tiny LLaMA for tests and demos: 2 layers, width 64, GQA 4:2.</summary>
    public static LlamaConfig Tiny { get; } = new();

    public static readonly IReadOnlyList<string> ModelTypes = ["llama", "qwen2"];

    /// <summary>Checks that the dimensions fit together; throws naming the first that does not.</summary>
    public LlamaConfig Validate()
    {
        if (!ModelTypes.Contains(ModelType))
            throw new ArgumentException($"LlamaConfig: unknown model_type '{ModelType}'; supported: {string.Join(", ", ModelTypes)}.");
        foreach (var (name, value) in new[] { ("vocab_size", VocabSize), ("hidden_size", HiddenSize), ("intermediate_size", IntermediateSize),
                     ("num_hidden_layers", NumHiddenLayers), ("num_attention_heads", NumAttentionHeads), ("num_key_value_heads", NumKeyValueHeads),
                     ("head_dim", HeadDim), ("max_position_embeddings", MaxPositionEmbeddings) })
            if (value <= 0) throw new ArgumentException($"LlamaConfig: {name} must be positive, got {value}.");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new ArgumentException($"LlamaConfig: num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}.");
        if (HeadDim % 2 != 0) throw new ArgumentException($"LlamaConfig: head_dim {HeadDim} must be even for rotary embeddings.");
        if (!(RmsNormEps >= 0f)) throw new ArgumentException($"LlamaConfig: rms_norm_eps must be non-negative, got {RmsNormEps}.");
        if (!(RopeTheta > 0f)) throw new ArgumentException($"LlamaConfig: rope_theta must be positive, got {RopeTheta}.");
        return this;
    }

    /// <summary>Reads a Hugging Face config.json; missing fields, unknown model types and unsupported options are errors naming the field.</summary>
    public static LlamaConfig Load(string path)
    {
        var json = ConfigJson.Read(path);
        var modelType = json.String("model_type");
        if (!ModelTypes.Contains(modelType))
            throw json.Invalid("model_type", $"unknown model type '{modelType}'; supported: {string.Join(", ", ModelTypes)}");
        var act = json.String("hidden_act", "silu");
        if (act != "silu") throw json.Invalid("hidden_act", $"'{act}' is not supported; LLaMA and Qwen2 use 'silu'");
        if (json.Node("rope_scaling") is not null) throw json.Invalid("rope_scaling", "scaled rotary embeddings are not supported; remove it or set it to null");
        if (json.Bool("mlp_bias", false)) throw json.Invalid("mlp_bias", "MLP biases are not supported");
        int hidden = json.PositiveInt("hidden_size");
        int heads = json.PositiveInt("num_attention_heads");
        if (!json.Has("head_dim") && hidden % heads != 0)
            throw json.Invalid("hidden_size", $"{hidden} is not a multiple of num_attention_heads {heads} and no head_dim is given");
        var config = new LlamaConfig
        {
            ModelType = modelType,
            VocabSize = json.PositiveInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = json.PositiveInt("intermediate_size"),
            NumHiddenLayers = json.PositiveInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            // HF's default when absent: plain multi-head attention.
            NumKeyValueHeads = json.Int("num_key_value_heads", heads),
            HeadDim = json.Int("head_dim", hidden / heads),
            RmsNormEps = json.Float("rms_norm_eps"),
            RopeTheta = json.Float("rope_theta", 10000f),
            MaxPositionEmbeddings = json.PositiveInt("max_position_embeddings"),
            TieWordEmbeddings = json.Bool("tie_word_embeddings", false),
            AttentionBias = json.Bool("attention_bias", false),
            EosTokenId = EosToken(json),
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    static int? EosToken(ConfigJson json) => json.TokenIds("eos_token_id") is [var first, ..] ? first : null;

    /// <summary>Writes config.json as transformers would, so the checkpoint loads there too.</summary>
    public void Save(string path)
    {
        Validate();
        var fields = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["torch_dtype"] = "float32",
        };
        if (ModelType == "llama") fields["attention_bias"] = AttentionBias;
        if (EosTokenId is { } eos) fields["eos_token_id"] = eos;
        ConfigJson.Write(path, fields);
    }
}
