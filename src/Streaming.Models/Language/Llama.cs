using System.Globalization;
using Streaming.Models.Adapters;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Language;

// The LLaMA / Qwen2 decoder, top to bottom, as transformers' modeling_llama and modeling_qwen2:
// token embedding, then per layer x + attention(rmsnorm(x)) and x + swiglu(rmsnorm(x)), final norm,
// LM head. Parameter paths equal the checkpoint keys ("model.layers.0.self_attn.q_proj.weight").
// Shapes: B batch, T new tokens, C hidden size, H query heads, Hkv kv heads, D head size, I MLP width.

// ---------------------------------------------------------------------------------------------
// Decoder layer

/// <summary>One pre-norm decoder layer. Weights are plain fields so an inference path can read them directly.</summary>
public sealed class DecoderLayer : Module
{
    readonly LlamaConfig config;

    public int Index { get; }

    public readonly Tensor Wq;        // (H*D, C)    self_attn.q_proj.weight
    public readonly Tensor Wk;        // (Hkv*D, C)  self_attn.k_proj.weight
    public readonly Tensor Wv;        // (Hkv*D, C)  self_attn.v_proj.weight
    public readonly Tensor Wo;        // (C, H*D)    self_attn.o_proj.weight
    public readonly Tensor? Bq;       // (H*D)       self_attn.q_proj.bias (Qwen2, or LLaMA with attention_bias)
    public readonly Tensor? Bk;       // (Hkv*D)
    public readonly Tensor? Bv;       // (Hkv*D)
    public readonly Tensor? Bo;       // (C)         LLaMA with attention_bias only
    public readonly Tensor WGate;     // (I, C)      mlp.gate_proj.weight
    public readonly Tensor WUp;       // (I, C)      mlp.up_proj.weight
    public readonly Tensor WDown;     // (C, I)      mlp.down_proj.weight
    public readonly Tensor InputNorm;         // (C) input_layernorm.weight
    public readonly Tensor PostAttentionNorm; // (C) post_attention_layernorm.weight

    internal DecoderLayer(LlamaConfig config, int index, Random? rng)
    {
        this.config = config;
        Index = index;
        int C = config.HiddenSize, H = config.NumAttentionHeads, Hkv = config.NumKeyValueHeads, D = config.HeadDim, I = config.IntermediateSize;
        var attn = Child("self_attn", new NamedScope());
        NamedScope qProj = attn.Scope("q_proj"), kProj = attn.Scope("k_proj"), vProj = attn.Scope("v_proj"), oProj = attn.Scope("o_proj");
        Wq = qProj.Add("weight", Weight(rng, H * D, C));
        Wk = kProj.Add("weight", Weight(rng, Hkv * D, C));
        Wv = vProj.Add("weight", Weight(rng, Hkv * D, C));
        Wo = oProj.Add("weight", Weight(rng, C, H * D));
        if (config.QkvBias)
        {
            Bq = qProj.Add("bias", Tensor.Zeros(H * D));
            Bk = kProj.Add("bias", Tensor.Zeros(Hkv * D));
            Bv = vProj.Add("bias", Tensor.Zeros(Hkv * D));
        }
        if (config.OutputBias) Bo = oProj.Add("bias", Tensor.Zeros(C));
        var mlp = Child("mlp", new NamedScope());
        WGate = mlp.Scope("gate_proj").Add("weight", Weight(rng, I, C));
        WUp = mlp.Scope("up_proj").Add("weight", Weight(rng, I, C));
        WDown = mlp.Scope("down_proj").Add("weight", Weight(rng, C, I));
        InputNorm = Child("input_layernorm", new NamedScope()).Add("weight", Tensor.Ones(C));
        PostAttentionNorm = Child("post_attention_layernorm", new NamedScope()).Add("weight", Tensor.Ones(C));
    }

    /// <summary>HF's initializer: N(0, 0.02); zeros when the weights are about to be loaded.</summary>
    internal static Tensor Weight(Random? rng, params int[] shape) => rng is null ? Tensor.Zeros(shape) : Init.Normal(rng, 0f, 0.02f, shape);

    /// <summary>The weight a LoRA target adapts.</summary>
    public Tensor Weight(LoraTargets target) => target switch
    {
        LoraTargets.Q => Wq,
        LoraTargets.K => Wk,
        LoraTargets.V => Wv,
        LoraTargets.O => Wo,
        LoraTargets.Gate => WGate,
        LoraTargets.Up => WUp,
        LoraTargets.Down => WDown,
        _ => throw new ArgumentException($"DecoderLayer: {target} is not a single projection.", nameof(target)),
    };

    /// <summary>x (B, T, C) -> (B, T, C). <paramref name="keyPaddingMask"/> covers every key: prefix, cached and new.</summary>
    public Tensor Forward(Tensor x, int[] positions, Tensor? keyPaddingMask, KvCache? cache, LoraAdapter? lora, IAttentionPrefix? prefix)
    {
        var h = x + Attention(Tensor.RmsNorm(x, InputNorm, config.RmsNormEps), positions, keyPaddingMask, cache, lora, prefix);
        return h + Mlp(Tensor.RmsNorm(h, PostAttentionNorm, config.RmsNormEps), lora);
    }

    /// <summary>The keys (after the rotary embedding) and values (B, Hkv, T, D) of the normed input x (B, T, C).</summary>
    public (Tensor Keys, Tensor Values) KeysValues(Tensor x, int[] positions, LoraAdapter? lora)
    {
        ArgumentNullException.ThrowIfNull(x);
        int B = x.Shape[0], T = x.Shape[1], Hkv = config.NumKeyValueHeads, D = config.HeadDim;
        var k = Project(x, Wk, Bk, LoraTargets.K, lora).Reshape(B, T, Hkv, D).Transpose(1, 2);   // (B, Hkv, T, D)
        var v = Project(x, Wv, Bv, LoraTargets.V, lora).Reshape(B, T, Hkv, D).Transpose(1, 2);   // (B, Hkv, T, D)
        return (Tensor.ApplyRotaryEmbedding(k, positions, config.RopeTheta), v);
    }

    Tensor Attention(Tensor x, int[] positions, Tensor? keyPaddingMask, KvCache? cache, LoraAdapter? lora, IAttentionPrefix? prefix)
    {
        int B = x.Shape[0], T = x.Shape[1];
        int H = config.NumAttentionHeads, D = config.HeadDim;
        var q = Project(x, Wq, Bq, LoraTargets.Q, lora).Reshape(B, T, H, D).Transpose(1, 2);     // (B, H, T, D)
        q = Tensor.ApplyRotaryEmbedding(q, positions, config.RopeTheta);
        var (k, v) = KeysValues(x, positions, lora);                                            // (B, Hkv, T, D)
        if (cache is not null) (k, v) = cache.Append(Index, k, v);                              // (B, Hkv, past + T, D)
        if (prefix is not null)
        {
            // A prefix (P-Tuning v2's learned one, or a shared prompt's): keys and values in front of every layer's, attended by every query.
            var (pk, pv) = prefix.KeysValues(Index, B);                                        // (B, Hkv, P, D)
            k = Tensor.Concat([pk, k], 2);                                                     // (B, Hkv, P + past + T, D)
            v = Tensor.Concat([pv, v], 2);
        }
        // Causal aligns the T queries with the last T keys: query t sees the prefix, the cache and new keys <= t.
        var y = Tensor.ScaledDotProductAttention(q, k, v, causal: true, keyPaddingMask);        // (B, H, T, D)
        y = y.Transpose(1, 2).Reshape(B, T, H * D);                                             // (B, T, H*D)
        return Project(y, Wo, Bo, LoraTargets.O, lora);                                         // (B, T, C)
    }

    // SwiGLU: down(silu(gate(x)) * up(x)).
    Tensor Mlp(Tensor x, LoraAdapter? lora)
    {
        var gate = Project(x, WGate, null, LoraTargets.Gate, lora).Silu();   // (B, T, I)
        var up = Project(x, WUp, null, LoraTargets.Up, lora);                // (B, T, I)
        return Project(gate * up, WDown, null, LoraTargets.Down, lora);      // (B, T, C)
    }

    /// <summary>x W^T + b, plus the LoRA update B A x * alpha / r where this projection is adapted (and not merged).</summary>
    Tensor Project(Tensor x, Tensor weight, Tensor? bias, LoraTargets target, LoraAdapter? lora)
    {
        var y = Tensor.Linear(x, weight, bias);
        return lora?.Delta(Index, target, x) is { } delta ? y + delta : y;
    }
}

// ---------------------------------------------------------------------------------------------
// The language model

/// <summary>
/// The decoder-only LM: embed, layers, final norm, LM head (tied to the embedding or its own). Takes token
/// ids or input embeddings (to mix visual, event or skeleton tokens and soft prompts with text), explicit
/// positions and padding for padded batches, an optional <see cref="KvCache"/>, and the adapters attached
/// through <see cref="Lora"/> and <see cref="Prefix"/>, which stay outside the base parameter tree.
/// </summary>
public sealed class LlamaModel : Module
{
    public LlamaConfig Config { get; }

    public readonly Tensor EmbedTokens;              // (V, C)  model.embed_tokens.weight
    public readonly IReadOnlyList<DecoderLayer> Layers;
    public readonly Tensor Norm;                     // (C)     model.norm.weight
    public readonly Tensor LmHead;                   // (V, C)  lm_head.weight, or EmbedTokens when tied

    /// <summary>LoRA on chosen projections; null for none.</summary>
    public LoraAdapter? Lora { get; set; }

    /// <summary>Prefix keys and values at every layer (P-Tuning v2's, or a shared prompt's); null for none.</summary>
    public IAttentionPrefix? Prefix { get; set; }

    /// <summary>A model with HF's random initialization from <paramref name="rng"/>, or zero weights (to be loaded) when null.</summary>
    public LlamaModel(LlamaConfig config, Random? rng = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int V = config.VocabSize, C = config.HiddenSize;
        var model = Child("model", new NamedScope());
        EmbedTokens = model.Scope("embed_tokens").Add("weight", DecoderLayer.Weight(rng, V, C));
        var layers = model.Scope("layers");
        Layers = [.. Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => layers.Add(i.ToString(CultureInfo.InvariantCulture), new DecoderLayer(config, i, rng)))];
        Norm = model.Scope("norm").Add("weight", Tensor.Ones(C));
        LmHead = config.TieWordEmbeddings ? EmbedTokens : Child("lm_head", new NamedScope()).Add("weight", DecoderLayer.Weight(rng, V, C));
    }

    /// <summary>Token embeddings (B, T, C) of <paramref name="ids"/>, <paramref name="batch"/> rows of T ids each.</summary>
    public Tensor Embed(int[] ids, int batch)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (batch <= 0 || ids.Length % batch != 0)
            throw new ArgumentException($"LlamaModel: {ids.Length} token ids do not split into {batch} rows.", nameof(ids));
        foreach (var id in ids)
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"LlamaModel: token id {id} is outside the vocabulary (size {Config.VocabSize}).");
        return Tensor.Embedding(EmbedTokens, ids, batch, ids.Length / batch);
    }

    /// <summary>Forward from token ids: <paramref name="batch"/> rows of T ids each. See the embeddings overload.</summary>
    public LlamaOutput Forward(int[] ids, int batch, int[]? positions = null, Tensor? paddingMask = null, KvCache? cache = null, bool computeLogits = true) =>
        Forward(Embed(ids, batch), positions, paddingMask, cache, computeLogits);

    /// <summary>
    /// Forward from input embeddings x (B, T, C): logits (B, T, V) and the hidden states.
    /// <paramref name="positions"/>: T (shared) or B*T rotary positions; by default P + past .. P + past + T - 1,
    /// where P is the prefix length (the prefix counts as past tokens, as in PEFT) and past the cached length.
    /// <paramref name="paddingMask"/> (B, T): nonzero marks a padding token, which no query attends.
    /// With <paramref name="cache"/>, the new keys and values are appended to it.
    /// </summary>
    public LlamaOutput Forward(Tensor inputsEmbeds, int[]? positions = null, Tensor? paddingMask = null, KvCache? cache = null, bool computeLogits = true)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        if (inputsEmbeds.Rank != 3 || inputsEmbeds.Shape[2] != Config.HiddenSize)
            throw new ArgumentException($"LlamaModel: expected input embeddings (B, T, {Config.HiddenSize}), got {Tensor.Format(inputsEmbeds.Shape)}.", nameof(inputsEmbeds));
        int B = inputsEmbeds.Shape[0], T = inputsEmbeds.Shape[1];
        int P = Prefix?.Length ?? 0;
        cache?.CheckRoom(B, T);
        int past = cache?.Length ?? 0;
        positions ??= [.. Enumerable.Range(P + past, T)];
        CheckPositions(positions, B, T);
        if (paddingMask is not null && (paddingMask.Rank != 2 || paddingMask.Shape[0] != B || paddingMask.Shape[1] != T))
            throw new ArgumentException($"LlamaModel: padding mask {Tensor.Format(paddingMask.Shape)} does not match the input ({B}, {T}).", nameof(paddingMask));
        var keyPaddingMask = KeyPaddingMask(B, T, P, paddingMask, cache);

        var x = inputsEmbeds;                                                   // (B, T, C)
        var hiddenStates = new List<Tensor>(Layers.Count + 1);
        foreach (var layer in Layers)
        {
            hiddenStates.Add(x);
            x = layer.Forward(x, positions, keyPaddingMask, cache, Lora, Prefix);
        }
        x = Tensor.RmsNorm(x, Norm, Config.RmsNormEps);
        hiddenStates.Add(x);
        cache?.Advance(T);
        var logits = computeLogits ? Tensor.Linear(x, LmHead) : null;          // (B, T, V)
        return new LlamaOutput(logits, hiddenStates);
    }

    void CheckPositions(int[] positions, int B, int T)
    {
        if (positions.Length != T && positions.Length != B * T)
            throw new ArgumentException($"LlamaModel: {positions.Length} positions for an input of ({B}, {T}); expected T = {T} or B*T = {B * T}.", nameof(positions));
        foreach (var p in positions)
            if (p < 0 || p >= Config.MaxPositionEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(positions), $"LlamaModel: position {p} is outside [0, {Config.MaxPositionEmbeddings}) (max_position_embeddings).");
    }

    /// <summary>The mask over all keys (B, P + past + T), prefix never padded; null when nothing is padded.</summary>
    static Tensor? KeyPaddingMask(int B, int T, int P, Tensor? paddingMask, KvCache? cache)
    {
        var newPadding = paddingMask?.ToArray();
        var tokens = cache is null
            ? newPadding is not null && newPadding.Any(m => m != 0f) ? new Tensor(newPadding, [B, T]) : null
            : cache.AppendPadding(newPadding, T);                                // (B, past + T)
        if (tokens is null || P == 0) return tokens;
        return Tensor.Concat([Tensor.Zeros(B, P), tokens], 1);                   // (B, P + past + T)
    }
}
