using Streaming.Tensors;

namespace Streaming.Models.Language;

/// <summary>
/// Keys and values that every query of every layer attends before the row's own: P-Tuning v2's learned prefix
/// (<see cref="Adapters.PrefixTuning"/>), or a prompt every row shares, run once (<see cref="PromptPrefix"/>). The row's
/// tokens take the positions after it. Attach with <c>model.Prefix = prefix</c>.
/// </summary>
public interface IAttentionPrefix
{
    /// <summary>P, the positions the prefix takes.</summary>
    int Length { get; }

    /// <summary>Layer <paramref name="layer"/>'s prefix keys (after the rotary embedding) and values, each (B, Hkv, P, D).</summary>
    (Tensor Keys, Tensor Values) KeysValues(int layer, int batch);
}
