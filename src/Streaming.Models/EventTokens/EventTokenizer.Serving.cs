using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Streaming.Tensors;
using Streaming.Tensors.Inference;

namespace Streaming.Models.EventTokens;

/// <summary>
/// The event tokenizer as serving runs it, in the manner of <see cref="Language.LlamaInference"/>: the math of
/// <see cref="EncodeSegments"/> and the nearest code on the allocation-free kernels, activations in buffers that grow to
/// the largest batch and are reused, no autograd graph. A batch of windows allocates only its ids, where the autograd
/// path allocated about 350 KB per window, which the garbage collector then paid for in the service's latency.
/// </summary>
public sealed partial class EventTokenizer
{
    readonly InferenceKernels kernels = new();
    readonly InferenceBuffer servedFeatures = new(), servedHidden1 = new(), servedHidden2 = new(), servedSaliency = new(),
        servedWeights = new(), servedSegments = new(), servedZ = new(), servedScores = new(), servedCodeNorms = new(), servedPlaces = new();

    /// <summary>B windows (B, T, F) -> B*M code ids, row-major; one call at a time per tokenizer.</summary>
    int[] Serve(Tensor frames)
    {
        var x = frames.Contiguous();
        int B = x.Shape[0], T = x.Shape[1], F = Config.Inputs, H = Config.Hidden, D = Config.Width, M = Config.Segments;

        // 1. positions and velocities, the velocity 0 at t = 0
        var f = servedFeatures.View(B, T, 2 * F);
        var xs = x.Span;
        var fs = f.Span;
        for (int r = 0; r < B * T; r++)
        {
            var row = fs.Slice(r * 2 * F, 2 * F);
            var position = xs.Slice(r * F, F);
            position.CopyTo(row);
            if (r % T == 0) row[F..].Clear();
            else TensorPrimitives.Subtract(position, xs.Slice((r - 1) * F, F), row[F..]);
        }

        // 2. the encoder, along time
        var h1 = kernels.Conv1dChannelsLast(f, conv1, servedHidden1, relu: true);       // (B, T, H)
        var h = kernels.Conv1dChannelsLast(h1, conv2, servedHidden2, relu: true);       // (B, T, H)

        // 3. saliency (1 everywhere when uniform), then each window's M segments: a (M, T) softmax over time, pooled e = a h
        var s = servedSaliency.View(B * T, 1);
        if (saliency is null) s.Span.Fill(1f);
        else
        {
            InferenceKernels.Linear(h.Reshape(B * T, H), saliency.Weight, saliency.Bias, s);
            var ss = s.Span;
            for (int i = 0; i < ss.Length; i++) ss[i] = Tensor.Softplus(ss[i]) + 1e-3f;
        }
        var a = servedWeights.View(M, T);
        var e = servedSegments.View(B, M, H);
        for (int b = 0; b < B; b++)
        {
            SegmentWeights(s.Span.Slice(b * T, T), M, servedPlaces.View(T).Span, a.Span);
            Gemm.Sgemm(false, false, M, H, T, 1f, a.Data, a.Offset, T, h.Data, h.Offset + b * T * H, H, 0f, e.Data, e.Offset + b * M * H, H);
        }

        // 4. to the code width, and the nearest code
        var z = servedZ.View(B * M, D);
        InferenceKernels.Linear(e.Reshape(B * M, H), projection.Weight, projection.Bias, z);
        return ActionSentences.Codebook.NearestIndices(z, Codebook, servedScores, servedCodeNorms);
    }

    /// <summary>
    /// One window's segment weights a (M, T) from its saliencies s (T), as <see cref="SegmentAssignment"/> computes them;
    /// c (T) receives each frame's place in (0, 1).
    /// </summary>
    static void SegmentWeights(ReadOnlySpan<float> s, int M, Span<float> c, Span<float> a)
    {
        int T = s.Length;
        float total = TensorPrimitives.Sum(s), sigma = 1f / (2 * M), scale = -1f / (2 * sigma * sigma);
        float before = 0;
        for (int t = 0; t < T; t++)
        {
            c[t] = (before + s[t] / 2) / total;
            before += s[t];
        }
        for (int m = 0; m < M; m++)
        {
            var row = a.Slice(m * T, T);
            float centre = (m + 0.5f) / M;
            for (int t = 0; t < T; t++) row[t] = (c[t] - centre) * (c[t] - centre) * scale;
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }
}
