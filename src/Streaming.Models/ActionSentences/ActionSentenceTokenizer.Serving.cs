using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Streaming.Tensors;
using Streaming.Tensors.Inference;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// The action-sentence tokenizer as serving runs it, in the manner of <see cref="Language.LlamaInference"/>: the encoder
/// of <see cref="EncodeTangents"/>, the exponential map and the nearest code on the allocation-free kernels, activations
/// in buffers that grow to the largest batch and are reused, no autograd graph. The autograd path allocated about 200 KB
/// per window, which the garbage collector then paid for in the service's latency.
/// </summary>
public sealed partial class ActionSentenceTokenizer
{
    readonly InferenceKernels kernels = new();
    readonly InferenceBuffer servedIn = new(), servedDown1 = new(), servedDown2 = new(), servedOut = new(), servedPoints = new(), servedScores = new(), servedNorms = new();

    /// <summary>B sequences (B, T, inputs) -> B*W code ids, row-major; one call at a time per tokenizer.</summary>
    int[] Serve(Tensor frames)
    {
        var x = frames.Contiguous();
        var h = kernels.Conv1dChannelsLast(x, encIn, servedIn, relu: true);           // (B, T, H)
        h = kernels.Conv1dChannelsLast(h, encDown1, servedDown1, relu: true);         // (B, T/2, H)
        h = kernels.Conv1dChannelsLast(h, encDown2, servedDown2, relu: true);         // (B, W, H)
        var z = kernels.Conv1dChannelsLast(h, encOut, servedOut);                     // (B, W, D)
        int D = Config.Width, U = Config.Codes, N = z.Size / D;
        var y = z.Reshape(N, D);
        var points = servedPoints.View(U, D);
        CodebookTangents.Span.CopyTo(points.Span);
        if (Flat) return Codebook.NearestIndices(y, points, servedScores, servedNorms);
        ExpMap0InPlace(y);
        ExpMap0InPlace(points);
        return PoincareNearest.Indices(y, points, Config.Curvature);
    }

    /// <summary>Each row v of <paramref name="rows"/> (N, D) becomes exp_0(v), as <see cref="PoincareBall.ExpMap0"/> computes it.</summary>
    void ExpMap0InPlace(Tensor rows)
    {
        int D = rows.Shape[^1];
        for (int r = 0; r < rows.Size / D; r++)
        {
            var row = rows.Span.Slice(r * D, D);
            TensorPrimitives.Multiply(row, (float)PoincareMath.ExpMap0(Math.Sqrt(PoincareMath.NormSquared(row)), Config.Curvature).Phi, row);
        }
    }
}
