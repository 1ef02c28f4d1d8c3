using Streaming.Tensors;
using Streaming.Tensors.Inference;
using Streaming.Tensors.Nn;

namespace Streaming.Cli.Bench;

/// <summary>
/// The LLaMA-style block of the engine benchmarks (RMSNorm, attention with rotary positions, SwiGLU; no biases),
/// two ways: through autograd for training, and as inference runs it on the allocation-free kernels.
/// Peers/block_peer.py is the same block in PyTorch.
/// </summary>
public sealed class LlamaBlock
{
    const float Eps = 1e-6f, Theta = 10000f;

    readonly int b, t, d, heads;
    readonly Tensor norm1, norm2, wq, wk, wv, wo, w1, w3, w2;
    readonly InferenceKernels kernels = new();
    readonly TensorArena stepStorage = new();
    // Inference activations, allocated once for the (B, T) shape.
    readonly Tensor h, q, k, v, y, gate, up;

    public LlamaBlock(int batch, int length, int width, int headCount, int ffn, int seed)
    {
        (b, t, d, heads) = (batch, length, width, headCount);
        var rng = new Random(seed);
        Tensor P(params int[] shape)
        {
            var p = Init.Normal(rng, 0f, 0.02f, shape);
            p.RequiresGrad = true;
            return p;
        }
        norm1 = Tensor.Ones(d);
        norm2 = Tensor.Ones(d);
        norm1.RequiresGrad = norm2.RequiresGrad = true;
        (wq, wk, wv, wo, w1, w3, w2) = (P(d, d), P(d, d), P(d, d), P(d, d), P(ffn, d), P(ffn, d), P(d, ffn));
        (h, q, k, v, y) = (Tensor.Zeros(b, t, d), Tensor.Zeros(b, t, d), Tensor.Zeros(b, t, d), Tensor.Zeros(b, t, d), Tensor.Zeros(b, t, d));
        (gate, up) = (Tensor.Zeros(b, t, ffn), Tensor.Zeros(b, t, ffn));
    }

    public Tensor[] Parameters => [norm1, norm2, wq, wk, wv, wo, w1, w3, w2];

    /// <summary>x (B, T, D) -> (B, T, D) through autograd ops.</summary>
    public Tensor Forward(Tensor x)
    {
        int hd = d / heads;
        var hn = Tensor.RmsNorm(x, norm1, Eps);                                               // (B, T, D)
        var qh = Tensor.Linear(hn, wq).Reshape(b, t, heads, hd).Transpose(1, 2);             // (B, H, T, hd) views
        var kh = Tensor.Linear(hn, wk).Reshape(b, t, heads, hd).Transpose(1, 2);
        var vh = Tensor.Linear(hn, wv).Reshape(b, t, heads, hd).Transpose(1, 2);
        qh = Tensor.ApplyRotaryEmbedding(qh, 0, Theta);
        kh = Tensor.ApplyRotaryEmbedding(kh, 0, Theta);
        var att = Tensor.ScaledDotProductAttention(qh, kh, vh, causal: true);               // (B, H, T, hd)
        x = x + Tensor.Linear(att.Transpose(1, 2).Reshape(b, t, d), wo);
        hn = Tensor.RmsNorm(x, norm2, Eps);
        return x + Tensor.Linear(Tensor.Linear(hn, w1).Silu() * Tensor.Linear(hn, w3), w2); // SwiGLU
    }

    /// <summary>
    /// The same block as inference runs it, in the manner of llama2.c's forward: q/k/v stay in the (B, T, H * hd)
    /// layout of the projections and the residual stream accumulates in place in <paramref name="output"/>.
    /// Allocates nothing.
    /// </summary>
    public void Infer(Tensor x, Tensor output)
    {
        x.Span.CopyTo(output.Span);
        kernels.RmsNorm(x, norm1, Eps, h);
        InferenceKernels.Linear(h, wq, null, q);
        InferenceKernels.Linear(h, wk, null, k);
        InferenceKernels.Linear(h, wv, null, v);
        kernels.Rotary(q, heads, 0, Theta);
        kernels.Rotary(k, heads, 0, Theta);
        kernels.Attention(q, k, v, heads, heads, causal: true, y);
        InferenceKernels.Linear(y, wo, null, output, accumulate: true);    // x + attention
        kernels.RmsNorm(output, norm2, Eps, h);
        InferenceKernels.Linear(h, w1, null, gate);
        InferenceKernels.Linear(h, w3, null, up);
        kernels.SwiGlu(gate, up);
        InferenceKernels.Linear(gate, w2, null, output, accumulate: true); // + SwiGLU
    }

    /// <summary>
    /// One training step's gradient work: forward, sum, backward, on storage reused from step to step as a training
    /// step's is (PyTorch's caching allocator does the same for the peer).
    /// </summary>
    public void ForwardBackward(Tensor x)
    {
        using var scope = stepStorage.Scope();
        Forward(x).Sum().Backward();
        foreach (var p in Parameters) p.Grad = null;
    }

    /// <summary>Throws unless the inference path computes what autograd computes (itself checked against PyTorch op by op).</summary>
    public void CheckInferenceMatchesAutograd(Tensor x, Tensor output)
    {
        Infer(x, output);
        float[] expected;
        using (GradMode.Disable()) expected = Forward(x).ToArray();
        var actual = output.ToArray();
        for (int i = 0; i < expected.Length; i++)
            if (!(MathF.Abs(actual[i] - expected[i]) <= 1e-4f + 1e-4f * MathF.Abs(expected[i])))
                throw new InvalidOperationException($"bench: the inference block differs from the autograd block at element {i}: {actual[i]} against {expected[i]}.");
    }
}
