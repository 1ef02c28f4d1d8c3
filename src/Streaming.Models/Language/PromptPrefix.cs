using Streaming.Tensors;

namespace Streaming.Models.Language;

/// <summary>
/// A prompt that every row of a batch begins with (an instruction), run through the model once: its keys and values
/// at every layer, which each row then attends as a prefix instead of recomputing them. Encoded with autograd on, the
/// gradients of every row flow back through it into the adapters (LoRA changes the prompt's keys and values too).
/// </summary>
public sealed class PromptPrefix : IAttentionPrefix
{
    readonly Tensor[] keys, values;   // per layer (1, Hkv, P, D)

    PromptPrefix(Tensor[] keys, Tensor[] values, int length) => (this.keys, this.values, Length) = (keys, values, length);

    public int Length { get; }

    /// <summary>
    /// Runs <paramref name="ids"/> (one row) through <paramref name="model"/> with its LoRA, if any. With
    /// <paramref name="learned"/> (P-Tuning v2's prompts) the prompt attends it and takes the positions after it, and the
    /// result holds both: [learned; prompt], so rows attend the learned prefix through this one.
    /// </summary>
    public static PromptPrefix Encode(LlamaModel model, int[] ids, IAttentionPrefix? learned = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length == 0) throw new ArgumentException("PromptPrefix: the prompt has no tokens.", nameof(ids));
        if (model.Prefix is not null) throw new InvalidOperationException("PromptPrefix: detach the model's prefix before encoding a prompt with it.");
        int P = learned?.Length ?? 0;
        int[] positions = [.. Enumerable.Range(P, ids.Length)];
        model.Prefix = learned;
        IReadOnlyList<Tensor> hidden;
        try
        {
            hidden = model.Forward(ids, 1, positions, computeLogits: false).HiddenStates;   // the input of each layer, (1, I, C)
        }
        finally
        {
            model.Prefix = null;
        }
        var cfg = model.Config;
        var k = new Tensor[model.Layers.Count];
        var v = new Tensor[model.Layers.Count];
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            (k[l], v[l]) = layer.KeysValues(Tensor.RmsNorm(hidden[l], layer.InputNorm, cfg.RmsNormEps), positions, model.Lora);   // (1, Hkv, I, D)
            if (learned is null) continue;
            var (lk, lv) = learned.KeysValues(l, 1);                                                                           // (1, Hkv, P, D)
            (k[l], v[l]) = (Tensor.Concat([lk, k[l]], 2), Tensor.Concat([lv, v[l]], 2));                                     // (1, Hkv, P + I, D)
        }
        return new PromptPrefix(k, v, P + ids.Length);
    }

    public (Tensor Keys, Tensor Values) KeysValues(int layer, int batch)
    {
        var (k, v) = (keys[layer], values[layer]);
        return batch == 1 ? (k, v) : (k.Expand(batch, k.Shape[1], k.Shape[2], k.Shape[3]), v.Expand(batch, v.Shape[1], v.Shape[2], v.Shape[3]));
    }
}
