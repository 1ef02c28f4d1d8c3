namespace Streaming.Tensors;

// Scaled dot-product attention, fused: see Kernels/FlashAttention.cs for the blockwise online softmax.
public sealed partial class Tensor
{
    /// <summary>
    /// softmax(q k^T * scale + mask) v for q (B, H, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv) -> (B, H, Tq, Dv),
    /// as torch.nn.functional.scaled_dot_product_attention; scale defaults to 1/sqrt(D).
    /// </summary>
    /// <remarks>
    /// Grouped-query attention: H must be a multiple of Hkv, and query heads h*H/Hkv .. (h+1)*H/Hkv-1 share
    /// kv head h (torch's repeat_interleave order, as in LLaMA and Qwen2).
    /// <para>Causal: query i attends keys j &lt;= i + (Tk - Tq). For Tq == Tk this is torch's lower
    /// triangle; for Tq &lt; Tk it aligns the queries with the last keys, as when new tokens attend a KV
    /// cache. (torch's is_causal aligns top-left instead, which differs only when Tq != Tk.)</para>
    /// <para><paramref name="keyPaddingMask"/> (B, Tk): nonzero marks a padded key that no query attends.</para>
    /// <para>A query row with no key to attend (all padded, or Tq &gt; Tk under causal) outputs zeros and
    /// passes no gradient, where torch would produce NaN.</para>
    /// </remarks>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, bool causal = false, Tensor? keyPaddingMask = null, float? scale = null)
    {
        if (q.Rank != 4 || k.Rank != 4 || v.Rank != 4)
            throw new ArgumentException($"scaled_dot_product_attention: expected q (B, H, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv), got {Format(q.Shape)}, {Format(k.Shape)} and {Format(v.Shape)}.");
        int B = q.Shape[0], H = q.Shape[1], Tq = q.Shape[2], D = q.Shape[3];
        int Hkv = k.Shape[1], Tk = k.Shape[2], Dv = v.Shape[3];
        if (k.Shape[0] != B || k.Shape[3] != D || Hkv == 0 || H % Hkv != 0)
            throw new ArgumentException($"scaled_dot_product_attention: q {Format(q.Shape)} and k {Format(k.Shape)} do not match (same batch and head size, query heads a multiple of kv heads).");
        if (v.Shape[0] != B || v.Shape[1] != Hkv || v.Shape[2] != Tk)
            throw new ArgumentException($"scaled_dot_product_attention: k {Format(k.Shape)} and v {Format(v.Shape)} differ in batch, heads or length.");
        if (keyPaddingMask is not null && (keyPaddingMask.Rank != 2 || keyPaddingMask.Shape[0] != B || keyPaddingMask.Shape[1] != Tk))
            throw new ArgumentException($"scaled_dot_product_attention: key padding mask {Format(keyPaddingMask.Shape)} does not match k {Format(k.Shape)} (expected ({B}, {Tk})).");

        var kernel = new FlashAttention
        {
            B = B, H = H, Hkv = Hkv, Tq = Tq, Tk = Tk, D = D, Dv = Dv, Causal = causal,
            Scale = scale ?? 1f / MathF.Sqrt(D),
            Padded = keyPaddingMask?.ToArray().Select(m => m != 0f).ToArray(),
        };
        var qs = AttentionOperand(q);
        var ks = AttentionOperand(k);
        var vs = AttentionOperand(v);
        var result = ZerosLaidOutAs(qs, Dv);
        var lse = new float[B * H * Tq];
        kernel.Forward(qs.Data, AttentionLayout.Of(qs), ks.Data, AttentionLayout.Of(ks), vs.Data, AttentionLayout.Of(vs),
            result.Data, AttentionLayout.Of(result), lse);

        return Record("scaled_dot_product_attention", result, [q, k, v], g =>
        {
            var dq = Zeros(q.Shape);
            var dk = Zeros(k.Shape);
            var dv = Zeros(v.Shape);
            var gs = AttentionOperand(g);
            kernel.Backward(qs.Data, AttentionLayout.Of(qs), ks.Data, AttentionLayout.Of(ks), vs.Data, AttentionLayout.Of(vs),
                result.Data, AttentionLayout.Of(result), lse, gs.Data, AttentionLayout.Of(gs), dq.Data, dk.Data, dv.Data);
            q.AccumulateOwnedGrad(dq);
            k.AccumulateOwnedGrad(dk);
            v.AccumulateOwnedGrad(dv);
        });
    }

    /// <summary>
    /// A zero (B, H, T, width) tensor laid out as the (B, H, T, D) operand <paramref name="like"/>: when that is the
    /// transposed view of (B, T, H, D) projections, so is the result, and the output projection later reads it after a
    /// transpose and reshape that copy nothing.
    /// </summary>
    internal static Tensor ZerosLaidOutAs(Tensor like, int width)
    {
        int B = like.Shape[0], H = like.Shape[1], T = like.Shape[2];
        return like.Strides[1] < like.Strides[2]
            ? new Tensor(new float[B * T * H * width], 0, [B, H, T, width], [T * H * width, width, H * width, 1])
            : Zeros(B, H, T, width);
    }

    /// <summary>The operand as the kernel reads it: the view itself when its rows are contiguous, else a copy.</summary>
    internal static Tensor AttentionOperand(Tensor t) => t.Strides[3] == 1 || t.Shape[3] == 1 ? t.Detach() : t.Contiguous().Detach();
}
