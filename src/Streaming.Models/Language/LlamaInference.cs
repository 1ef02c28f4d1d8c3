using Streaming.Tensors;
using Streaming.Tensors.Inference;

namespace Streaming.Models.Language;

/// <summary>
/// A <see cref="LlamaModel"/> as inference serves it, in the manner of llama2.c's <c>forward</c>: the same math as
/// <see cref="LlamaModel.Forward(int[], int, int[], Tensor, KvCache, bool)"/> on the allocation-free kernels, with
/// activations in buffers that grow to the largest (batch, length) seen and are reused, and q/k/v kept in the
/// (B, T, heads * D) layout of the projections. <see cref="Prefill"/> runs whole rows; <see cref="Decode"/> continues
/// them through a <see cref="KvCache"/>, and <see cref="Greedy"/> generates with it. Both return the logits of each
/// row's last position, what generation needs. <see cref="HiddenStates"/> runs rows after a shared
/// <see cref="PromptPrefix"/>, with added tokens, and returns every position's final hidden state, what a head reads.
/// Adapters must be merged into the weights first (LoRA) or are not supported (prefix tuning).
/// </summary>
public sealed class LlamaInference(LlamaModel model)
{
    readonly InferenceKernels kernels = new();
    readonly InferenceBuffer xs = new(), hs = new(), qs = new(), ks = new(), vs = new(), ys = new(), gates = new(), ups = new(), lasts = new(), lastNorms = new(), logitRows = new();
    int batch, length;
    Tensor x = Tensor.Zeros(0), h = Tensor.Zeros(0), q = Tensor.Zeros(0), k = Tensor.Zeros(0), v = Tensor.Zeros(0), y = Tensor.Zeros(0);
    Tensor gate = Tensor.Zeros(0), up = Tensor.Zeros(0), last = Tensor.Zeros(0), lastNormed = Tensor.Zeros(0), logits = Tensor.Zeros(0);

    /// <summary>
    /// Runs <paramref name="batch"/> rows of T token ids each (positions 0..T-1, no padding) and returns the logits of
    /// every row's last position (B, V). The returned tensor is reused by the next call.
    /// </summary>
    public Tensor Prefill(int[] ids, int batch) => Forward(ids, batch, null);

    /// <summary>
    /// Runs T new token ids for each of the cache's rows (<paramref name="ids"/> row-major, B * T) at positions
    /// cache.Length .. cache.Length + T - 1, appends their keys and values to <paramref name="cache"/> and returns the
    /// logits of every row's last position (B, V): the prompt first, then one token at a time, each step attending
    /// to everything cached. The returned tensor is reused by the next call; a cache written with padding is refused.
    /// </summary>
    public Tensor Decode(int[] ids, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Layers != model.Config.NumHiddenLayers || cache.KvHeads != model.Config.NumKeyValueHeads || cache.HeadDim != model.Config.HeadDim)
            throw new ArgumentException($"LlamaInference: the cache ({cache.Layers} layers, {cache.KvHeads} kv heads of {cache.HeadDim}) does not fit the model.", nameof(cache));
        if (cache.Padded) throw new NotSupportedException("LlamaInference: the cache holds padded positions, which the inference path does not mask; use LlamaModel.Forward.");
        return Forward(ids, cache.Batch, cache);
    }

    /// <summary>
    /// Greedy generation from one <paramref name="prompt"/>: the most likely next token, again and again, until one of
    /// <paramref name="stop"/> (included, as transformers does) or <paramref name="maxNewTokens"/> tokens, or the
    /// model's max_position_embeddings. Returns the new tokens only.
    /// </summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int maxNewTokens, IReadOnlyCollection<int> stop)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(stop);
        if (prompt.Count == 0) throw new ArgumentException("LlamaInference: the prompt is empty; generation needs at least one token.", nameof(prompt));
        if (maxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), $"LlamaInference: {maxNewTokens} new tokens must not be negative.");
        var generated = new List<int>(maxNewTokens);
        if (maxNewTokens == 0) return generated;
        // The last new token is never fed back, so the cache needs one position less than prompt and continuation.
        int capacity = Math.Min(prompt.Count + maxNewTokens - 1, model.Config.MaxPositionEmbeddings);
        var cache = new KvCache(model.Config, batch: 1, capacity);
        var next = Decode([.. prompt], cache);
        int[] step = new int[1];
        while (true)
        {
            int token = ArgMax(next.Data.AsSpan(next.Offset, next.Size));
            generated.Add(token);
            if (generated.Count == maxNewTokens || stop.Contains(token) || cache.Length == cache.Capacity) return generated;
            step[0] = token;
            next = Decode(step, cache);
        }
    }

    /// <summary>The first index of the largest value, as torch.argmax picks it.</summary>
    static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>
    /// Runs <paramref name="batch"/> rows of T ids each after the P positions of <paramref name="prefix"/>, which every row
    /// attends (a prompt all rows share, run once), at positions P .. P + T - 1 (no padding), and returns the final hidden
    /// state of every position, after the last norm (B, T, C): what a head on the hidden states reads. Ids from the
    /// vocabulary size V on are added tokens: id V + u reads row u of <paramref name="addedTokens"/> (U, C), as a
    /// vocabulary grown for new tokens would. The returned tensor is reused by the next call.
    /// </summary>
    public Tensor HiddenStates(int[] ids, int batch, PromptPrefix? prefix = null, Tensor? addedTokens = null)
    {
        CheckRows(ids, batch);
        var c = model.Config;
        if (addedTokens is not null && (addedTokens.Rank != 2 || addedTokens.Shape[1] != c.HiddenSize || !addedTokens.IsContiguous))
            throw new ArgumentException($"LlamaInference: added tokens {Tensor.Format(addedTokens.Shape)} must be a contiguous (U, {c.HiddenSize}).", nameof(addedTokens));
        int T = ids.Length / batch, P = prefix?.Length ?? 0;
        if (P + T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"LlamaInference: a prefix of {P} and {T} tokens per row exceed max_position_embeddings {c.MaxPositionEmbeddings}.", nameof(ids));
        if (prefix is not null) CheckPrefix(prefix);
        Allocate(batch, T);
        Embed(ids, addedTokens);
        Layers(cache: null, P, prefix);
        kernels.RmsNorm(x, model.Norm, c.RmsNormEps, h);                         // (B, T, C)
        return h;
    }

    Tensor Forward(int[] ids, int batch, KvCache? cache)
    {
        CheckRows(ids, batch);
        var c = model.Config;
        int T = ids.Length / batch, C = c.HiddenSize, past = cache?.Length ?? 0;
        if (past + T > c.MaxPositionEmbeddings)
            throw new ArgumentException($"LlamaInference: {past} cached and {T} new tokens per row exceed max_position_embeddings {c.MaxPositionEmbeddings}.", nameof(ids));
        cache?.CheckRoom(batch, T);
        Allocate(batch, T);
        Embed(ids, null);
        Layers(cache, past, prefix: null);
        cache?.Advance(T);
        for (int b = 0; b < batch; b++) x.Data.AsSpan((b * T + T - 1) * C, C).CopyTo(last.Data.AsSpan(b * C, C));
        kernels.RmsNorm(last, model.Norm, c.RmsNormEps, lastNormed);
        InferenceKernels.Linear(lastNormed, model.LmHead, null, logits);         // (B, V)
        return logits;
    }

    void CheckRows(int[] ids, int batch)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (model.Prefix is not null)
            throw new NotSupportedException("LlamaInference: prefix tuning is not supported on the inference path; use LlamaModel.Forward.");
        if (model.Lora is { Merged: false })
            throw new NotSupportedException("LlamaInference: merge the LoRA adapter into the weights first (LoraAdapter.Merge), or use LlamaModel.Forward.");
        if (batch <= 0 || ids.Length == 0 || ids.Length % batch != 0)
            throw new ArgumentException($"LlamaInference: {ids.Length} token ids do not split into {batch} non-empty rows.", nameof(ids));
    }

    /// <summary>x = the embedding of every id: a token's row of the embedding table, or an added token's row of <paramref name="addedTokens"/>.</summary>
    void Embed(int[] ids, Tensor? addedTokens)
    {
        int V = model.Config.VocabSize, C = model.Config.HiddenSize, U = addedTokens?.Shape[0] ?? 0;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if (id >= 0 && id < V) model.EmbedTokens.Data.AsSpan(model.EmbedTokens.Offset + id * C, C).CopyTo(x.Data.AsSpan(i * C, C));
            else if (id >= V && id - V < U) addedTokens!.Data.AsSpan(addedTokens.Offset + (id - V) * C, C).CopyTo(x.Data.AsSpan(i * C, C));
            else
                throw new ArgumentOutOfRangeException(nameof(ids), $"LlamaInference: token id {id} is outside the vocabulary (size {V}) and its {U} added tokens.");
        }
    }

    /// <summary>
    /// Every decoder layer over x (B, T, C) in place, the rows at positions <paramref name="start"/> ..: attending the
    /// cache, or the prefix every row shares, or only each other (causal).
    /// </summary>
    void Layers(KvCache? cache, int start, PromptPrefix? prefix)
    {
        var c = model.Config;
        // An indexed loop: foreach over the IReadOnlyList would allocate its enumerator.
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            // x += o(attention(rope(q), rope(k), v)) of rmsnorm(x)
            kernels.RmsNorm(x, layer.InputNorm, c.RmsNormEps, h);
            InferenceKernels.Linear(h, layer.Wq, layer.Bq, q);                    // (B, T, H*D)
            InferenceKernels.Linear(h, layer.Wk, layer.Bk, k);                    // (B, T, Hkv*D)
            InferenceKernels.Linear(h, layer.Wv, layer.Bv, v);
            kernels.Rotary(q, c.NumAttentionHeads, start, c.RopeTheta);
            kernels.Rotary(k, c.NumKeyValueHeads, start, c.RopeTheta);
            if (cache is not null)
            {
                var (cachedKeys, cachedValues) = cache.AppendTimeMajor(l, k, v);  // (B, Hkv, capacity, D), valid to start + T
                kernels.CachedAttention(q, cachedKeys, cachedValues, start + length, c.NumAttentionHeads, y);
            }
            else if (prefix is not null)
            {
                var (prefixKeys, prefixValues) = prefix.KeysValues(l, 1);          // (1, Hkv, P, D)
                kernels.PrefixAttention(q, prefixKeys, prefixValues, k, v, c.NumAttentionHeads, y);
            }
            else kernels.Attention(q, k, v, c.NumAttentionHeads, c.NumKeyValueHeads, causal: true, y);
            InferenceKernels.Linear(y, layer.Wo, layer.Bo, x, accumulate: true);
            // x += down(silu(gate(h)) * up(h)) of h = rmsnorm(x)
            kernels.RmsNorm(x, layer.PostAttentionNorm, c.RmsNormEps, h);
            InferenceKernels.Linear(h, layer.WGate, null, gate);                  // (B, T, I)
            InferenceKernels.Linear(h, layer.WUp, null, up);
            kernels.SwiGlu(gate, up);
            InferenceKernels.Linear(gate, layer.WDown, null, x, accumulate: true);
        }
    }

    /// <summary>The prefix's keys and values must be (1, Hkv, P, D) at every layer, with the last dimension contiguous.</summary>
    void CheckPrefix(PromptPrefix prefix)
    {
        int Hkv = model.Config.NumKeyValueHeads, D = model.Config.HeadDim;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var (keys, values) = prefix.KeysValues(l, 1);
            foreach (var part in (ReadOnlySpan<Tensor>)[keys, values])
                if (part.Rank != 4 || part.Shape[0] != 1 || part.Shape[1] != Hkv || part.Shape[2] != prefix.Length || part.Shape[3] != D || part.Strides[3] != 1)
                    throw new ArgumentException($"LlamaInference: prefix layer {l} is {Tensor.Format(part.Shape)}; the model needs (1, {Hkv}, {prefix.Length}, {D}).", nameof(prefix));
        }
    }

    /// <summary>Views of (B, T) activations over storage that only grows, so varying batches reuse it; none made when the shape is the last one.</summary>
    void Allocate(int b, int t)
    {
        if (b == batch && t == length) return;
        var c = model.Config;
        int C = c.HiddenSize, qw = c.NumAttentionHeads * c.HeadDim, kvw = c.NumKeyValueHeads * c.HeadDim, I = c.IntermediateSize;
        (x, h) = (xs.View(b, t, C), hs.View(b, t, C));
        (q, k, v, y) = (qs.View(b, t, qw), ks.View(b, t, kvw), vs.View(b, t, kvw), ys.View(b, t, qw));
        (gate, up) = (gates.View(b, t, I), ups.View(b, t, I));
        (last, lastNormed, logits) = (lasts.View(b, C), lastNorms.View(b, C), logitRows.View(b, c.VocabSize));
        (batch, length) = (b, t);
    }
}
