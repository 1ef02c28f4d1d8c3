using System.Numerics;
using System.Numerics.Tensors;

namespace Streaming.Tensors.Inference;

/// <summary>
/// The building blocks of an allocation-free inference forward, in the manner of llama2.c's <c>run.c</c>: each call
/// writes into buffers the caller allocated once and reuses, runs on the engine's persistent worker threads through
/// job objects this instance owns, records no autograd graph and allocates nothing. Activations are contiguous
/// row-major tensors whose last dimension is the feature dimension: (rows, D), or (B, T, H * headDim) for the
/// attention operands. One instance serves one forward at a time.
/// </summary>
public sealed class InferenceKernels
{
    readonly RmsNormJob rmsNorm = new();
    readonly SwiGluJob swiGlu = new();
    readonly RotaryRotation rotary = new();
    readonly FlashAttention attention = new();
    readonly InferenceBuffer convColumns = new(), convTaps = new();
    readonly InferenceBuffer ownLogSumExp = new(), prefixScores = new(), prefixOutput = new(), prefixLogSumExp = new();

    /// <summary>output = x * rsqrt(mean(x^2) + eps) * weight over the last dimension, as <see cref="Tensor.RmsNorm"/>.</summary>
    public void RmsNorm(Tensor x, Tensor weight, float eps, Tensor output)
    {
        int d = weight.Size;
        Check("rms_norm", x.IsContiguous && weight.IsContiguous && output.IsContiguous, x, weight, output);
        Check("rms_norm", x.Shape[^1] == d && output.Size == x.Size, x, weight, output);
        rmsNorm.Run(x, weight, eps, output, d);
    }

    /// <summary>output = x W^T (+ bias), or output += x W^T (+ bias) when <paramref name="accumulate"/>: x (rows, in), W (out, in), output (rows, out).</summary>
    public static void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor output, bool accumulate = false)
    {
        Check("linear", x.IsContiguous && weight.IsContiguous && output.IsContiguous && weight.Rank == 2, x, weight, output);
        int inFeatures = weight.Shape[1], outFeatures = weight.Shape[0], rows = x.Size / Math.Max(inFeatures, 1);
        Check("linear", x.Shape[^1] == inFeatures && output.Shape[^1] == outFeatures && output.Size == rows * outFeatures, x, weight, output);
        if (bias is not null) Check("linear", bias.IsContiguous && bias.Size == outFeatures, x, bias, output);
        Gemm.Sgemm(false, true, rows, outFeatures, inFeatures, 1f, x.Data, x.Offset, inFeatures, weight.Data, weight.Offset, inFeatures,
            accumulate ? 1f : 0f, output.Data, output.Offset, outFeatures);
        if (bias is null) return;
        var b = bias.Data.AsSpan(bias.Offset, outFeatures);
        for (int r = 0; r < rows; r++)
        {
            var row = output.Data.AsSpan(output.Offset + r * outFeatures, outFeatures);
            TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>
    /// Rotary embedding in place (Hugging Face rotate-half) of x (B, T, heads * headDim) at positions
    /// startPosition .. startPosition + T - 1, as <see cref="Tensor.ApplyRotaryEmbedding(Tensor, int, float)"/> on its
    /// (B, heads, T, headDim) view.
    /// </summary>
    public void Rotary(Tensor x, int heads, int startPosition, float theta)
    {
        Check("rotary_embedding", x.IsContiguous && x.Rank == 3 && heads > 0 && x.Shape[2] % (2 * heads) == 0 && startPosition >= 0 && theta > 0f, x, x, x);
        int b = x.Shape[0], t = x.Shape[1], headDim = x.Shape[2] / heads;
        var layout = AttentionLayout.TimeMajor(heads, t, headDim) with { Offset = x.Offset };
        rotary.Run(x.Data, layout, x.Data, layout, b, heads, t, headDim, RopeTables.For(headDim, theta, startPosition + t), startPosition, null, 1f);
    }

    /// <summary>
    /// Causal (or full) attention of q (B, Tq, heads * headDim) over k and v (B, Tk, kvHeads * headDim) into output
    /// (B, Tq, heads * headDim): the last query sees every key, so Tq &lt; Tk continues a cached prefix.
    /// </summary>
    public void Attention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, bool causal, Tensor output)
    {
        Check("scaled_dot_product_attention", q.IsContiguous && k.IsContiguous && v.IsContiguous && output.IsContiguous
            && q.Rank == 3 && k.Rank == 3 && v.Rank == 3 && heads > 0 && kvHeads > 0 && heads % kvHeads == 0 && q.Shape[2] % heads == 0, q, k, output);
        int b = q.Shape[0], tq = q.Shape[1], tk = k.Shape[1], headDim = q.Shape[2] / heads;
        Check("scaled_dot_product_attention", k.Shape[0] == b && v.Shape[0] == b && v.Shape[1] == tk
            && k.Shape[2] == kvHeads * headDim && v.Shape[2] == kvHeads * headDim && output.Size == q.Size, q, k, v);
        (attention.B, attention.H, attention.Hkv, attention.Tq, attention.Tk, attention.D, attention.Dv) = (b, heads, kvHeads, tq, tk, headDim, headDim);
        (attention.Scale, attention.Causal, attention.Padded) = (1f / MathF.Sqrt(headDim), causal, null);
        attention.Forward(q.Data, AttentionLayout.TimeMajor(heads, tq, headDim) with { Offset = q.Offset },
            k.Data, AttentionLayout.TimeMajor(kvHeads, tk, headDim) with { Offset = k.Offset },
            v.Data, AttentionLayout.TimeMajor(kvHeads, tk, headDim) with { Offset = v.Offset },
            output.Data, AttentionLayout.TimeMajor(heads, tq, headDim) with { Offset = output.Offset }, null);
    }

    /// <summary>
    /// Causal attention of q (B, Tq, heads * headDim) over the first <paramref name="keys"/> positions of a KV cache
    /// k, v (B, kvHeads, capacity, headDim), read in place, into output (B, Tq, heads * headDim): the queries are the
    /// last Tq of those positions, so query i sees keys up to keys - Tq + i.
    /// </summary>
    public void CachedAttention(Tensor q, Tensor k, Tensor v, int keys, int heads, Tensor output)
    {
        Check("scaled_dot_product_attention", q.IsContiguous && k.IsContiguous && v.IsContiguous && output.IsContiguous
            && q.Rank == 3 && k.Rank == 4 && heads > 0 && q.Shape[2] % heads == 0 && Tensor.SameShape(k.Shape, v.Shape), q, k, output);
        int b = q.Shape[0], tq = q.Shape[1], headDim = q.Shape[2] / heads, kvHeads = k.Shape[1], capacity = k.Shape[2];
        Check("scaled_dot_product_attention", k.Shape[0] == b && k.Shape[3] == headDim && heads % kvHeads == 0
            && keys >= tq && keys <= capacity && output.Size == q.Size, q, k, v);
        (attention.B, attention.H, attention.Hkv, attention.Tq, attention.Tk, attention.D, attention.Dv) = (b, heads, kvHeads, tq, keys, headDim, headDim);
        (attention.Scale, attention.Causal, attention.Padded) = (1f / MathF.Sqrt(headDim), true, null);
        attention.Forward(q.Data, AttentionLayout.TimeMajor(heads, tq, headDim) with { Offset = q.Offset },
            k.Data, AttentionLayout.HeadsMajor(kvHeads, capacity, headDim) with { Offset = k.Offset },
            v.Data, AttentionLayout.HeadsMajor(kvHeads, capacity, headDim) with { Offset = v.Offset },
            output.Data, AttentionLayout.TimeMajor(heads, tq, headDim) with { Offset = output.Offset }, null);
    }

    /// <summary>
    /// Attention of rows that all begin with the same prefix: q (B, T, heads * D) attends the prefix's keys and values
    /// (1, kvHeads, P, D), shared by every row, and its own k, v (B, T, kvHeads * D) causally, into output (B, T, heads * D):
    /// what <see cref="CachedAttention"/> computes over [prefix; row] laid out per row. The prefix's half is one GEMM per
    /// head over all B*T queries, not B small products, and needs no copy of the prefix per row; the row's half is flash
    /// attention over its own T keys; the two softmaxes merge by their log-sum-exps.
    /// </summary>
    public void PrefixAttention(Tensor q, Tensor prefixKeys, Tensor prefixValues, Tensor k, Tensor v, int heads, Tensor output)
    {
        Check("prefix_attention", q.IsContiguous && k.IsContiguous && v.IsContiguous && output.IsContiguous && q.Rank == 3 && k.Rank == 3
            && Tensor.SameShape(k.Shape, v.Shape) && heads > 0 && q.Shape[2] % heads == 0 && output.Size == q.Size, q, k, output);
        int B = q.Shape[0], T = q.Shape[1], width = q.Shape[2], D = width / heads, kvHeads = k.Shape[2] / Math.Max(D, 1), rows = B * T;
        Check("prefix_attention", prefixKeys.Rank == 4 && Tensor.SameShape(prefixKeys.Shape, prefixValues.Shape) && prefixKeys.Shape[0] == 1
            && prefixKeys.Shape[1] == kvHeads && prefixKeys.Shape[3] == D && prefixKeys.Strides[3] == 1 && prefixValues.Strides[3] == 1
            && k.Shape[0] == B && k.Shape[1] == T && k.Shape[2] == kvHeads * D && kvHeads > 0 && heads % kvHeads == 0, q, prefixKeys, k);
        int P = prefixKeys.Shape[2], group = heads / kvHeads;
        float scale = 1f / MathF.Sqrt(D);

        // 1. each row over its own keys, causally, keeping every (row, head, query)'s log-sum-exp
        var own = ownLogSumExp.Floats(B * heads * T);
        (attention.B, attention.H, attention.Hkv, attention.Tq, attention.Tk, attention.D, attention.Dv) = (B, heads, kvHeads, T, T, D, D);
        (attention.Scale, attention.Causal, attention.Padded) = (scale, true, null);
        attention.Forward(q.Data, AttentionLayout.TimeMajor(heads, T, D) with { Offset = q.Offset },
            k.Data, AttentionLayout.TimeMajor(kvHeads, T, D) with { Offset = k.Offset },
            v.Data, AttentionLayout.TimeMajor(kvHeads, T, D) with { Offset = v.Offset },
            output.Data, AttentionLayout.TimeMajor(heads, T, D) with { Offset = output.Offset }, own);

        // 2. every query over the prefix: softmax(q K^T scale) V, per head
        float[] scores = prefixScores.Floats(rows * P), fromPrefix = prefixOutput.Floats(rows * width), prefixLse = prefixLogSumExp.Floats(rows * heads);
        for (int h = 0; h < heads; h++)
        {
            int g = h / group;
            Gemm.Sgemm(false, true, rows, P, D, scale, q.Data, q.Offset + h * D, width,
                prefixKeys.Data, prefixKeys.Offset + g * prefixKeys.Strides[1], prefixKeys.Strides[2], 0f, scores, 0, P);
            for (int r = 0; r < rows; r++)
            {
                var row = scores.AsSpan(r * P, P);
                float max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, row);
                Exponential.Apply(row, row);
                float sum = TensorPrimitives.Sum(row);
                TensorPrimitives.Multiply(row, 1f / sum, row);
                prefixLse[r * heads + h] = max + MathF.Log(sum);
            }
            Gemm.Sgemm(false, false, rows, D, P, 1f, scores, 0, P,
                prefixValues.Data, prefixValues.Offset + g * prefixValues.Strides[1], prefixValues.Strides[2], 0f, fromPrefix, h * D, width);
        }

        // 3. the two halves weighed by their shares of the whole softmax: exp(lse_half - lse_all)
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int h = 0; h < heads; h++)
                {
                    int r = b * T + t;
                    float lo = own[(b * heads + h) * T + t], lp = prefixLse[r * heads + h], m = MathF.Max(lo, lp);
                    float all = m + MathF.Log(MathF.Exp(lo - m) + MathF.Exp(lp - m));
                    var result = output.Data.AsSpan(output.Offset + r * width + h * D, D);
                    TensorPrimitives.Multiply(result, MathF.Exp(lo - all), result);
                    TensorPrimitives.MultiplyAdd(fromPrefix.AsSpan(r * width + h * D, D), MathF.Exp(lp - all), result, result);
                }
    }

    /// <summary>
    /// output = conv1d over a channels-last sequence, as <see cref="Tensor.Conv1dChannelsLast"/>: x (B, L, Cin), weight
    /// (Cout, Cin, K), bias (Cout), output (B, Lout, Cout). The column matrix and the weights in tap order live in this
    /// instance's scratch, grown to the largest call.
    /// </summary>
    public void Conv1dChannelsLast(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, Tensor output)
    {
        Check("conv1d_channels_last", x.IsContiguous && weight.IsContiguous && output.IsContiguous && x.Rank == 3 && weight.Rank == 3 && output.Rank == 3
            && stride >= 1 && padding >= 0, x, weight, output);
        int B = x.Shape[0], L = x.Shape[1], Cin = x.Shape[2], Cout = weight.Shape[0], K = weight.Shape[2], width = K * Cin;
        int Lout = (L + 2 * padding - K) / stride + 1;
        Check("conv1d_channels_last", weight.Shape[1] == Cin && L + 2 * padding >= K && output.Shape[0] == B && output.Shape[1] == Lout && output.Shape[2] == Cout, x, weight, output);
        if (bias is not null) Check("conv1d_channels_last", bias.IsContiguous && bias.Size == Cout, x, bias, output);
        float[] columns = convColumns.Floats(B * Lout * width), taps = convTaps.Floats(Cout * width);   // (B*Lout, K*Cin), (Cout, K*Cin)
        Tensor.TapMajor(weight.Span, Cout, Cin, K, taps);
        Tensor.ExpandChannelsLast(x.Span, B, L, Cin, K, stride, padding, Lout, columns);
        for (int r = 0; r < B * Lout && bias is not null; r++) bias.Span.CopyTo(output.Data.AsSpan(output.Offset + r * Cout, Cout));
        Gemm.Sgemm(false, true, B * Lout, Cout, width, 1f, columns, 0, width, taps, 0, width, bias is null ? 0f : 1f, output.Data, output.Offset, Cout);
    }

    /// <summary>
    /// The module's convolution over a channels-last sequence x (B, L, in) into a view of <paramref name="buffer"/>
    /// (B, Lout, out), then ReLU in place when <paramref name="relu"/>; returns that view.
    /// </summary>
    public Tensor Conv1dChannelsLast(Tensor x, Nn.Conv1d conv, InferenceBuffer buffer, bool relu = false)
    {
        var output = buffer.View(x.Shape[0], conv.OutputLength(x.Shape[1]), conv.Weight.Shape[0]);
        Conv1dChannelsLast(x, conv.Weight, conv.Bias, conv.Stride, conv.Padding, output);
        if (relu) TensorPrimitives.Max(output.Span, 0f, output.Span);
        return output;
    }

    /// <summary>The SwiGLU gate in place: gate = silu(gate) * up.</summary>
    public void SwiGlu(Tensor gate, Tensor up)
    {
        Check("swiglu", gate.IsContiguous && up.IsContiguous && gate.Size == up.Size, gate, up, gate);
        swiGlu.Run(gate, up);
    }

    static void Check(string op, bool ok, Tensor a, Tensor b, Tensor c)
    {
        if (!ok)
            throw new ArgumentException($"{op} (inference): operands {Tensor.Format(a.Shape)}, {Tensor.Format(b.Shape)} and {Tensor.Format(c.Shape)} do not fit " +
                "(contiguous buffers, matching feature sizes, heads dividing the width; see the method's documentation).");
    }

    /// <summary>Rows split evenly over the worker threads, enough of them per thread to pay for the wake-up.</summary>
    static int Parts(long elements) => (int)Math.Clamp(elements / (1 << 15), 1, Gemm.MaxThreads);

    sealed class RmsNormJob : IParallelWork
    {
        Tensor x = Tensor.Zeros(0), weight = Tensor.Zeros(0), output = Tensor.Zeros(0);
        float eps;
        int d;

        public void Run(Tensor input, Tensor w, float epsilon, Tensor result, int width)
        {
            (x, weight, output, eps, d) = (input, w, result, epsilon, width);
            WorkerThreads.Run(this, Parts(input.Size));
        }

        public void Execute(int part, int parts)
        {
            int rows = x.Size / d;
            var w = weight.Data.AsSpan(weight.Offset, d);
            for (int r = part * rows / parts, end = (part + 1) * rows / parts; r < end; r++)
            {
                var xr = x.Data.AsSpan(x.Offset + r * d, d);
                var yr = output.Data.AsSpan(output.Offset + r * d, d);
                float rstd = 1f / MathF.Sqrt(TensorPrimitives.Dot(xr, xr) / d + eps);
                TensorPrimitives.Multiply(xr, rstd, yr);
                TensorPrimitives.Multiply(yr, w, yr);
            }
        }
    }

    /// <summary>gate = silu(gate) * up = gate * up / (1 + exp(-gate)), one pass over each element.</summary>
    sealed class SwiGluJob : IParallelWork
    {
        Tensor gate = Tensor.Zeros(0), up = Tensor.Zeros(0);

        public void Run(Tensor g, Tensor u)
        {
            (gate, up) = (g, u);
            WorkerThreads.Run(this, Parts(g.Size));
        }

        public void Execute(int part, int parts)
        {
            int width = Vector<float>.Count, vectors = gate.Size / width;
            int start = part * vectors / parts * width, end = part == parts - 1 ? gate.Size : (part + 1) * vectors / parts * width;
            var g = gate.Data.AsSpan(gate.Offset + start, end - start);
            var u = up.Data.AsSpan(up.Offset + start, end - start);
            int i = 0;
            for (; i + width <= g.Length; i += width) Apply(new Vector<float>(g[i..]), new Vector<float>(u[i..])).CopyTo(g[i..]);
            if (i == g.Length) return;
            // The tail through the same vector code, so an element's result does not depend on where it sits.
            Span<float> gt = stackalloc float[width], ut = stackalloc float[width];
            g[i..].CopyTo(gt);
            u[i..].CopyTo(ut);
            Apply(new Vector<float>(gt), new Vector<float>(ut)).CopyTo(gt);
            gt[..(g.Length - i)].CopyTo(g[i..]);
        }

        static Vector<float> Apply(Vector<float> g, Vector<float> u) => g * u / (Vector<float>.One + Exponential.Of(-g));
    }
}
