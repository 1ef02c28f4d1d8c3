using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors;

/// <summary>
/// Where row t of head h of batch b starts in a (B, H, T, D) operand whose last dimension is contiguous: row-major
/// (B, H, T, D), or the head-transposed view of a (B, T, H, D) buffer as the q/k/v projections produce it, which the
/// kernel reads in place.
/// </summary>
internal readonly record struct AttentionLayout(int Offset, int BatchStride, int HeadStride, int RowStride)
{
    public int Row(int b, int h, int t) => Offset + b * BatchStride + h * HeadStride + t * RowStride;

    /// <summary>The layout of a 4-d tensor view; its last stride must be 1.</summary>
    public static AttentionLayout Of(Tensor t) => new(t.Offset, t.Strides[0], t.Strides[1], t.Strides[2]);

    /// <summary>(B, H, T, D) row-major.</summary>
    public static AttentionLayout HeadsMajor(int heads, int length, int width) => new(0, heads * length * width, length * width, width);

    /// <summary>(B, T, H, D) row-major, read as (B, H, T, D).</summary>
    public static AttentionLayout TimeMajor(int heads, int length, int width) => new(0, heads * length * width, width, heads * width);
}

/// <summary>
/// Fused attention, flash-attention style: keys are visited in blocks with an online softmax, so no (Tq x Tk) score
/// matrix is ever stored. The forward pass keeps each query row's log-sum-exp; the backward pass recomputes the
/// probabilities block by block from it. Operands are read through <see cref="AttentionLayout"/>s, so the transposed
/// views of the projections need no copy. Query i may attend key j when j &lt;= i + CausalOffset (causal only) and the
/// key is not padded.
/// </summary>
internal sealed class FlashAttention : IParallelWork
{
    const int BlockFloats = 64 * 64;   // a block of keys, and one of values, of this size stay within L1 while a query block reads them
    const int MaxKeyBlock = 256;
    const int QueryBlock = 32;
    const long MinMacsPerThread = 1 << 18;

    public int B, H, Hkv, Tq, Tk, D, Dv;
    public float Scale;
    public bool Causal;

    /// <summary>(B, Tk): true where the key is padding.</summary>
    public bool[]? Padded;

    // Operands of the forward pass in flight: the worker threads read them through Execute.
    float[] q = [], k = [], v = [], output = [];
    float[]? lse;
    AttentionLayout ql, kl, vl, ol;

    /// <summary>Bottom-right alignment: the last query sees every key, as when decoding with a KV cache.</summary>
    int CausalOffset => Tk - Tq;

    int Group => H / Hkv;

    /// <summary>Keys per block: 64 of width 64, more of narrower heads (128 of width 32), so that a short prompt is one block, not two.</summary>
    int KeyBlock => Math.Clamp(BlockFloats / Math.Max(D, Dv), 1, MaxKeyBlock);

    /// <summary>One past the last key query i may attend within [j0, j1).</summary>
    int KeyEnd(int i, int j1) => Causal ? Math.Min(j1, Math.Max(i + CausalOffset + 1, 0)) : j1;

    /// <summary>
    /// Writes the output (B, H, Tq, Dv) and, when <paramref name="logSumExp"/> is given, the per-row log-sum-exp
    /// (B, H, Tq) that the backward pass needs; -inf marks rows with no key to attend. Allocates nothing.
    /// </summary>
    public void Forward(float[] query, AttentionLayout queryLayout, float[] key, AttentionLayout keyLayout,
        float[] value, AttentionLayout valueLayout, float[] result, AttentionLayout resultLayout, float[]? logSumExp)
    {
        (q, ql, k, kl, v, vl, output, ol, lse) = (query, queryLayout, key, keyLayout, value, valueLayout, result, resultLayout, logSumExp);
        try
        {
            long macs = (long)B * H * Tq * Tk * (D + Dv);
            WorkerThreads.Run(this, (int)Math.Clamp(macs / MinMacsPerThread, 1, Math.Min(Gemm.MaxThreads, B * H)));
        }
        finally
        {
            (q, k, v, output, lse) = ([], [], [], [], null);
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/>: a contiguous range of (batch, head) pairs.</summary>
    public void Execute(int part, int parts)
    {
        int count = B * H;
        for (int bh = part * count / parts, end = (part + 1) * count / parts; bh < end; bh++) ForwardHead(bh);
    }

    /// <summary>Below this many queries per row, attention runs row by row rather than in GEMM tiles.</summary>
    const int MinTileQueries = 4;

    void ForwardHead(int bh)
    {
        if (Tq < MinTileQueries) ForwardHeadByRows(bh);
        else ForwardHeadByTiles(bh);
    }

    /// <summary>
    /// One (batch, head) of a few queries per row (decode steps): row by row, dot products against each key block and
    /// a weighted sum of its values. Per query, two GEMM calls would cost more than their arithmetic.
    /// </summary>
    void ForwardHeadByRows(int bh)
    {
        int b = bh / H, h = bh % H, kvh = h / Group;
        Span<float> s = stackalloc float[KeyBlock];
        Span<float> m = stackalloc float[QueryBlock];
        Span<float> l = stackalloc float[QueryBlock];
        for (int i0 = 0; i0 < Tq; i0 += QueryBlock)
        {
            int rows = Math.Min(QueryBlock, Tq - i0);
            m.Fill(float.NegativeInfinity);
            l.Clear();
            for (int r = 0; r < rows; r++) output.AsSpan(ol.Row(b, h, i0 + r), Dv).Clear();
            for (int j0 = 0; j0 < Tk; j0 += KeyBlock)
            {
                int j1 = Math.Min(j0 + KeyBlock, Tk);
                for (int r = 0; r < rows; r++)
                {
                    int i = i0 + r, n = KeyEnd(i, j1) - j0;
                    if (n <= 0) continue;
                    var scores = s[..n];
                    Dots(q.AsSpan(ql.Row(b, h, i), D), k, kl.Row(b, kvh, j0), kl.RowStride, n, Scale, scores);
                    float blockMax = MaskAndMax(scores, b, j0);
                    if (blockMax == float.NegativeInfinity) continue;
                    var acc = output.AsSpan(ol.Row(b, h, i), Dv);
                    SoftmaxStep(scores, blockMax, ref m[r], ref l[r], acc);
                    AccumulateRows(acc, scores, v, vl.Row(b, kvh, j0), vl.RowStride);
                }
            }
            for (int r = 0; r < rows; r++) FinishRow(bh * Tq + i0 + r, output.AsSpan(ol.Row(b, h, i0 + r), Dv), m[r], l[r]);
        }
    }

    /// <summary>
    /// One (batch, head): per block of queries, per block of keys, S = scale Q K^T and O += P V as two small GEMMs, with
    /// the online softmax between them row by row.
    /// </summary>
    void ForwardHeadByTiles(int bh)
    {
        int b = bh / H, h = bh % H, kvh = h / Group, keyBlock = KeyBlock;
        var scores = TileScratch(ref forwardScores, QueryBlock * keyBlock); // (query, key) of one tile
        Span<float> m = stackalloc float[QueryBlock];
        Span<float> l = stackalloc float[QueryBlock];
        for (int i0 = 0; i0 < Tq; i0 += QueryBlock)
        {
            int rows = Math.Min(QueryBlock, Tq - i0), qOff = ql.Row(b, h, i0), oOff = ol.Row(b, h, i0);
            m.Fill(float.NegativeInfinity);
            l.Clear();
            for (int r = 0; r < rows; r++) output.AsSpan(oOff + r * ol.RowStride, Dv).Clear();
            // Causal: key blocks past the last row's last key hold nothing this query block sees.
            int jEnd = Causal ? Math.Clamp(i0 + rows + CausalOffset, 0, Tk) : Tk;
            for (int j0 = 0; j0 < jEnd; j0 += keyBlock)
            {
                int j1 = Math.Min(j0 + keyBlock, Tk), keys = j1 - j0;
                Gemm.Sgemm(false, true, rows, keys, D, Scale, q, qOff, ql.RowStride, k, kl.Row(b, kvh, j0), kl.RowStride, 0f, scores, 0, keys, 1);
                bool any = false;
                for (int r = 0; r < rows; r++)
                {
                    var row = scores.AsSpan(r * keys, keys);
                    int n = KeyEnd(i0 + r, j1) - j0;
                    float blockMax = n > 0 ? MaskAndMax(row[..n], b, j0) : float.NegativeInfinity;
                    if (blockMax == float.NegativeInfinity)
                    {
                        row.Clear();
                        continue;
                    }
                    SoftmaxStep(row[..n], blockMax, ref m[r], ref l[r], output.AsSpan(oOff + r * ol.RowStride, Dv));
                    row[n..].Clear();
                    any = true;
                }
                if (any) Gemm.Sgemm(false, false, rows, Dv, keys, 1f, scores, 0, keys, v, vl.Row(b, kvh, j0), vl.RowStride, 1f, output, oOff, ol.RowStride, 1);
            }
            for (int r = 0; r < rows; r++) FinishRow(bh * Tq + i0 + r, output.AsSpan(oOff + r * ol.RowStride, Dv), m[r], l[r]);
        }
    }

    /// <summary>
    /// Online softmax, one query row and one key block: rescales what <paramref name="acc"/> accumulated under the old
    /// maximum <paramref name="m"/>, turns the block's scores into exp(score - new maximum) in place, adds their sum to
    /// <paramref name="l"/>.
    /// </summary>
    static void SoftmaxStep(Span<float> scores, float blockMax, ref float m, ref float l, Span<float> acc)
    {
        float mNew = MathF.Max(m, blockMax), correction = MathF.Exp(m - mNew);
        if (correction != 1f) TensorPrimitives.Multiply(acc, correction, acc);
        TensorPrimitives.Subtract(scores, mNew, scores);
        Exponential.Apply(scores, scores);
        l = l * correction + TensorPrimitives.Sum(scores);
        m = mNew;
    }

    /// <summary>Divides a finished output row by its softmax sum and keeps its log-sum-exp; -inf marks a row that attended no key.</summary>
    void FinishRow(int row, Span<float> acc, float m, float l)
    {
        if (l == 0f)
        {
            if (lse is not null) lse[row] = float.NegativeInfinity;
            return;
        }
        TensorPrimitives.Multiply(acc, 1f / l, acc);
        if (lse is not null) lse[row] = m + MathF.Log(l);
    }

    /// <summary>
    /// Gradients of q, k, v given the output gradient; one task per (batch, kv head) so dK and dV have a single writer.
    /// Per (query block, key block) tile, five small GEMMs: S = scale Q K^T and dP = dO V^T, then row by row
    /// P = exp(S - lse) and dS = scale P (dP - delta), then dQ += dS K, dK += dS^T Q, dV += P^T dO. dq, dk and dv are
    /// row-major (B, H, T, D) and accumulated into.
    /// </summary>
    public void Backward(float[] query, AttentionLayout queryLayout, float[] key, AttentionLayout keyLayout,
        float[] value, AttentionLayout valueLayout, float[] result, AttentionLayout resultLayout, float[] logSumExp,
        float[] gradOut, AttentionLayout gradLayout, float[] dq, float[] dk, float[] dv)
    {
        var (gl, rl) = (gradLayout, resultLayout);
        int keyBlock = KeyBlock;
        Parallel.For(0, B * Hkv, bkv =>
        {
            int b = bkv / Hkv, kvh = bkv % Hkv, firstHead = kvh * Group;
            var p = TileScratch(ref backwardProbabilities, QueryBlock * keyBlock); // (query, key) of one tile
            var ds = TileScratch(ref backwardScoreGrads, QueryBlock * keyBlock);   // (query, key), scale included
            // delta_i = dO_i . O_i, the softmax backward's row term.
            var delta = TileScratch(ref backwardDelta, Group * Tq);
            for (int hh = 0; hh < Group; hh++)
                for (int i = 0; i < Tq; i++)
                    delta[hh * Tq + i] = TensorPrimitives.Dot(gradOut.AsSpan(gl.Row(b, firstHead + hh, i), Dv), result.AsSpan(rl.Row(b, firstHead + hh, i), Dv));
            for (int j0 = 0; j0 < Tk; j0 += keyBlock)
            {
                int j1 = Math.Min(j0 + keyBlock, Tk), keys = j1 - j0;
                int kOff = keyLayout.Row(b, kvh, j0), vOff = valueLayout.Row(b, kvh, j0);
                int dkOff = (bkv * Tk + j0) * D, dvOff = (bkv * Tk + j0) * Dv;
                for (int hh = 0; hh < Group; hh++)
                {
                    int h = firstHead + hh, bh = b * H + h;
                    for (int i0 = Causal ? Math.Max(0, j0 - CausalOffset) : 0; i0 < Tq; i0 += QueryBlock)
                    {
                        int rows = Math.Min(QueryBlock, Tq - i0), qOff = queryLayout.Row(b, h, i0), gOff = gl.Row(b, h, i0);
                        Gemm.Sgemm(false, true, rows, keys, D, Scale, query, qOff, queryLayout.RowStride, key, kOff, keyLayout.RowStride, 0f, p, 0, keys, 1);
                        Gemm.Sgemm(false, true, rows, keys, Dv, 1f, gradOut, gOff, gl.RowStride, value, vOff, valueLayout.RowStride, 0f, ds, 0, keys, 1);
                        for (int r = 0; r < rows; r++)
                        {
                            int i = i0 + r, row = bh * Tq + i, n = KeyEnd(i, j1) - j0;
                            var pRow = p.AsSpan(r * keys, keys);
                            var dsRow = ds.AsSpan(r * keys, keys);
                            if (n <= 0 || logSumExp[row] == float.NegativeInfinity)
                            {
                                pRow.Clear();
                                dsRow.Clear();
                                continue;
                            }
                            var pn = pRow[..n];
                            var dsn = dsRow[..n];
                            MaskAndMax(pn, b, j0);
                            TensorPrimitives.Subtract(pn, logSumExp[row], pn);
                            Exponential.Apply(pn, pn);
                            TensorPrimitives.Subtract(dsn, delta[hh * Tq + i], dsn);
                            TensorPrimitives.Multiply(dsn, pn, dsn);
                            TensorPrimitives.Multiply(dsn, Scale, dsn);
                            pRow[n..].Clear();
                            dsRow[n..].Clear();
                        }
                        Gemm.Sgemm(false, false, rows, D, keys, 1f, ds, 0, keys, key, kOff, keyLayout.RowStride, 1f, dq, (bh * Tq + i0) * D, D, 1);
                        Gemm.Sgemm(true, false, keys, D, rows, 1f, ds, 0, keys, query, qOff, queryLayout.RowStride, 1f, dk, dkOff, D, 1);
                        Gemm.Sgemm(true, false, keys, Dv, rows, 1f, p, 0, keys, gradOut, gOff, gl.RowStride, 1f, dv, dvOff, Dv, 1);
                    }
                }
            }
        });
    }

    // Each thread's tiles, kept between calls so that the kernels allocate nothing in steady state.
    [ThreadStatic] static float[]? forwardScores;
    [ThreadStatic] static float[]? backwardProbabilities;
    [ThreadStatic] static float[]? backwardScoreGrads;
    [ThreadStatic] static float[]? backwardDelta;

    static float[] TileScratch(ref float[]? buffer, int floats) =>
        buffer is not null && buffer.Length >= floats ? buffer : buffer = new float[floats];

    /// <summary>Sets padded keys' scores to -inf and returns the largest score.</summary>
    float MaskAndMax(Span<float> scores, int b, int j0)
    {
        if (Padded is not null)
        {
            var padded = Padded.AsSpan(b * Tk + j0, scores.Length);
            for (int j = 0; j < scores.Length; j++)
                if (padded[j]) scores[j] = float.NegativeInfinity;
        }
        return TensorPrimitives.Max(scores);
    }

    /// <summary>dst[j] = scale * (x . rows[j]) for rows of width x.Length, the first at offset, one every stride; four rows per pass so x is loaded once per four.</summary>
    static unsafe void Dots(ReadOnlySpan<float> x, ReadOnlySpan<float> rows, int offset, int stride, int count, float scale, Span<float> dst)
    {
        int j = 0;
        fixed (float* xp = x, rp = rows)
            for (; j + 4 <= count; j += 4)
            {
                var (d0, d1, d2, d3) = GemmDot.Dot4(xp, rp + offset + j * stride, stride, x.Length);
                dst[j] = d0 * scale;
                dst[j + 1] = d1 * scale;
                dst[j + 2] = d2 * scale;
                dst[j + 3] = d3 * scale;
            }
        for (; j < count; j++) dst[j] = TensorPrimitives.Dot(x, rows.Slice(offset + j * stride, x.Length)) * scale;
    }

    /// <summary>acc += sum_j coef[j] * rows[j] for rows of width acc.Length, the first at offset, one every stride; four rows per pass so acc is loaded once per four.</summary>
    static void AccumulateRows(Span<float> acc, ReadOnlySpan<float> coef, ReadOnlySpan<float> rows, int offset, int stride)
    {
        int width = acc.Length, count = coef.Length, j = 0;
        if (Vector256.IsHardwareAccelerated && width >= Vector256<float>.Count)
        {
            ref float ar = ref MemoryMarshal.GetReference(acc);
            ref float r0 = ref MemoryMarshal.GetReference(rows);
            int vecEnd = width - width % Vector256<float>.Count;
            for (; j + 4 <= count; j += 4)
            {
                ref float v0 = ref Unsafe.Add(ref r0, offset + j * stride);
                ref float v1 = ref Unsafe.Add(ref v0, stride);
                ref float v2 = ref Unsafe.Add(ref v1, stride);
                ref float v3 = ref Unsafe.Add(ref v2, stride);
                float c0 = coef[j], c1 = coef[j + 1], c2 = coef[j + 2], c3 = coef[j + 3];
                var p0 = Vector256.Create(c0);
                var p1 = Vector256.Create(c1);
                var p2 = Vector256.Create(c2);
                var p3 = Vector256.Create(c3);
                for (int d = 0; d < vecEnd; d += Vector256<float>.Count)
                {
                    var a = Vector256.LoadUnsafe(ref ar, (nuint)d);
                    a = Vector256.MultiplyAddEstimate(p0, Vector256.LoadUnsafe(ref v0, (nuint)d), a);
                    a = Vector256.MultiplyAddEstimate(p1, Vector256.LoadUnsafe(ref v1, (nuint)d), a);
                    a = Vector256.MultiplyAddEstimate(p2, Vector256.LoadUnsafe(ref v2, (nuint)d), a);
                    a = Vector256.MultiplyAddEstimate(p3, Vector256.LoadUnsafe(ref v3, (nuint)d), a);
                    a.StoreUnsafe(ref ar, (nuint)d);
                }
                for (int d = vecEnd; d < width; d++)
                    acc[d] += c0 * Unsafe.Add(ref v0, d) + c1 * Unsafe.Add(ref v1, d) + c2 * Unsafe.Add(ref v2, d) + c3 * Unsafe.Add(ref v3, d);
            }
        }
        for (; j < count; j++) TensorPrimitives.MultiplyAdd(rows.Slice(offset + j * stride, width), coef[j], acc, acc);
    }
}
