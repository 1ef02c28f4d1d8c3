using System.Diagnostics;
using Streaming.Cli.Peers;
using Streaming.Tensors;
using Streaming.Tensors.Inference;
using Streaming.Tensors.Nn;

namespace Streaming.Cli.Bench;

/// <summary>
/// One LLaMA-style block (RMSNorm, attention with rotary positions, SwiGLU) at d=512, 8 heads,
/// ffn 1376, batch 8 x seq 256 against the same block in PyTorch (Peers/block_peer.py): the inference
/// forward (ours on the allocation-free kernels, torch under no_grad), forward+backward through autograd,
/// our managed allocations per inference forward in steady state, and peak memory.
/// </summary>
public static class BlockBench
{
    const int B = 8, T = 256, D = 512, H = 8, Ffn = 1376, HeadDim = D / H;

    public static IEnumerable<BenchResult> Run(bool quick)
    {
        int repeats = quick ? 2 : 5;
        var rng = new Random(0);
        static Tensor Trainable(Tensor t)
        {
            t.RequiresGrad = true;
            return t;
        }
        Tensor P(params int[] shape) => Trainable(Init.Normal(rng, 0f, 0.02f, shape));
        var w = new Weights(Trainable(Tensor.Ones(D)), Trainable(Tensor.Ones(D)),
            P(D, D), P(D, D), P(D, D), P(D, D), P(Ffn, D), P(Ffn, D), P(D, Ffn));
        var x = Init.Normal(rng, 0f, 1f, B, T, D);

        var inference = new BlockInference(w);
        var output = Tensor.Zeros(B, T, D);
        CheckInferenceMatchesAutograd(inference, x, w, output);
        double forwardMs = Median(repeats, () => inference.Forward(x, output));
        // Every thread's allocations: the worker threads' count too.
        long before = GC.GetTotalAllocatedBytes(precise: true);
        inference.Forward(x, output);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        double trainMs = Median(repeats, () =>
        {
            foreach (var p in w.All) p.Grad = null;
            Forward(x, w).Sum().Backward();
        });
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        var peer = PythonPeer.Run("block_peer.py", $"{B}", $"{T}", $"{D}", $"{H}", $"{Ffn}", $"{Environment.ProcessorCount}", $"{repeats}");
        double peerForward = peer["forward_ms"]!.GetValue<double>();
        double peerTrain = peer["train_ms"]!.GetValue<double>();
        double peerPeak = peer["peak_rss_mb"]!.GetValue<double>();
        const string shape = "d512 h8 ffn1376 b8 t256";
        // Throughput (blocks/s) so that ratio > 1 means faster than PyTorch.
        yield return new BenchResult($"llama block forward {shape}", "blocks/s", 1000 / forwardMs, "torch", 1000 / peerForward);
        yield return new BenchResult($"llama block forward+backward {shape}", "blocks/s", 1000 / trainMs, "torch", 1000 / peerTrain);
        yield return new BenchResult($"llama block forward allocations {shape}", "bytes", allocated);
        yield return new BenchResult($"llama block peak memory {shape}", "MB", peakMb, "torch", peerPeak);
    }

    sealed record Weights(Tensor Norm1, Tensor Norm2, Tensor Wq, Tensor Wk, Tensor Wv, Tensor Wo, Tensor W1, Tensor W3, Tensor W2)
    {
        public Tensor[] All => [Norm1, Norm2, Wq, Wk, Wv, Wo, W1, W3, W2];
    }

    static Tensor Forward(Tensor x, Weights w)
    {
        var h = Tensor.RmsNorm(x, w.Norm1, 1e-6f);                                           // (B, T, D)
        var q = Tensor.Linear(h, w.Wq).Reshape(B, T, H, HeadDim).Transpose(1, 2);            // (B, H, T, hd)
        var k = Tensor.Linear(h, w.Wk).Reshape(B, T, H, HeadDim).Transpose(1, 2);
        var v = Tensor.Linear(h, w.Wv).Reshape(B, T, H, HeadDim).Transpose(1, 2);
        q = Tensor.ApplyRotaryEmbedding(q, 0, 10000f);
        k = Tensor.ApplyRotaryEmbedding(k, 0, 10000f);
        var y = Tensor.ScaledDotProductAttention(q, k, v, causal: true);                    // (B, H, T, hd)
        x = x + Tensor.Linear(y.Transpose(1, 2).Reshape(B, T, D), w.Wo);
        h = Tensor.RmsNorm(x, w.Norm2, 1e-6f);
        return x + Tensor.Linear(Tensor.Linear(h, w.W1).Silu() * Tensor.Linear(h, w.W3), w.W2); // SwiGLU
    }

    /// <summary>
    /// The block as inference runs it, in the manner of llama2.c's forward: activations live in buffers allocated once
    /// for the (B, T) shape, q/k/v stay in the (B, T, H * hd) layout of the projections, and the residual stream
    /// accumulates in place in the output.
    /// </summary>
    sealed class BlockInference(Weights w)
    {
        readonly InferenceKernels kernels = new();
        readonly Tensor h = Tensor.Zeros(B, T, D), q = Tensor.Zeros(B, T, D), k = Tensor.Zeros(B, T, D), v = Tensor.Zeros(B, T, D);
        readonly Tensor y = Tensor.Zeros(B, T, D), gate = Tensor.Zeros(B, T, Ffn), up = Tensor.Zeros(B, T, Ffn);

        public void Forward(Tensor x, Tensor output)
        {
            x.Span.CopyTo(output.Span);
            kernels.RmsNorm(x, w.Norm1, 1e-6f, h);
            InferenceKernels.Linear(h, w.Wq, null, q);
            InferenceKernels.Linear(h, w.Wk, null, k);
            InferenceKernels.Linear(h, w.Wv, null, v);
            kernels.Rotary(q, H, 0, 10000f);
            kernels.Rotary(k, H, 0, 10000f);
            kernels.Attention(q, k, v, H, H, causal: true, y);
            InferenceKernels.Linear(y, w.Wo, null, output, accumulate: true);    // x + attention
            kernels.RmsNorm(output, w.Norm2, 1e-6f, h);
            InferenceKernels.Linear(h, w.W1, null, gate);
            InferenceKernels.Linear(h, w.W3, null, up);
            kernels.SwiGlu(gate, up);
            InferenceKernels.Linear(gate, w.W2, null, output, accumulate: true); // + SwiGLU
        }
    }

    /// <summary>The timed inference path must compute the block that autograd computes (itself checked against PyTorch op by op).</summary>
    static void CheckInferenceMatchesAutograd(BlockInference inference, Tensor x, Weights w, Tensor output)
    {
        inference.Forward(x, output);
        float[] expected;
        using (GradMode.Disable()) expected = Forward(x, w).ToArray();
        var actual = output.ToArray();
        for (int i = 0; i < expected.Length; i++)
            if (!(MathF.Abs(actual[i] - expected[i]) <= 1e-4f + 1e-4f * MathF.Abs(expected[i])))
                throw new InvalidOperationException($"bench: the inference block differs from the autograd block at element {i}: {actual[i]} against {expected[i]}.");
    }

    static double Median(int repeats, Action run)
    {
        run();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
