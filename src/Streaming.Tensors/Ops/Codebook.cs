using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Codebook lookups for vector quantization: all-pairs squared distances as one GEMM, and the nearest
// entry with a straight-through gradient.
public sealed partial class Tensor
{
    /// <summary>|x_n - c_k|^2 for x (N, D) and codebook (K, D) -> (N, K), computed as |x|^2 + |c|^2 - 2 x c^T and clamped at 0.</summary>
    public static Tensor PairwiseSquaredDistance(Tensor x, Tensor codebook)
    {
        CheckCodebookShapes("pairwise_squared_distance", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0], D = x.Shape[1];
        var xs = x.Contiguous().Detach();
        var cs = codebook.Contiguous().Detach();
        var result = Zeros(N, K);
        SquaredDistances(xs, cs, result.Data, includeRowNorm: true);

        return Record("pairwise_squared_distance", result, [x, codebook], g =>
        {
            // d/dx_n = 2 (sum_k g_nk) x_n - 2 (g C)_n;  d/dc_k = 2 (sum_n g_nk) c_k - 2 (g^T X)_k
            var gs = g.Span;
            if (x.RequiresGrad)
            {
                var dx = Zeros(N, D);
                Gemm.Sgemm(false, false, N, D, K, -2f, g.Data, g.Offset, K, cs.Data, cs.Offset, D, 0f, dx.Data, 0, D);
                for (int n = 0; n < N; n++)
                    TensorPrimitives.MultiplyAdd(xs.Span.Slice(n * D, D), 2f * TensorPrimitives.Sum(gs.Slice(n * K, K)), dx.Data.AsSpan(n * D, D), dx.Data.AsSpan(n * D, D));
                x.AccumulateGrad(dx);
            }
            if (codebook.RequiresGrad)
            {
                var dc = Zeros(K, D);
                Gemm.Sgemm(true, false, K, D, N, -2f, g.Data, g.Offset, K, xs.Data, xs.Offset, D, 0f, dc.Data, 0, D);
                var colSums = new float[K];
                for (int n = 0; n < N; n++) TensorPrimitives.Add(colSums, gs.Slice(n * K, K), colSums);
                for (int k = 0; k < K; k++)
                    TensorPrimitives.MultiplyAdd(cs.Span.Slice(k * D, D), 2f * colSums[k], dc.Data.AsSpan(k * D, D), dc.Data.AsSpan(k * D, D));
                codebook.AccumulateGrad(dc);
            }
        });
    }

    /// <summary>
    /// The nearest codebook row (squared Euclidean distance, first on ties) for each row of x (N, D):
    /// returns those rows (N, D) and their indices.
    /// </summary>
    /// <remarks>
    /// Straight-through estimator, as x + (q - x).detach() in VQ-VAE: the forward value is the codebook
    /// row, and the gradient reaches x unchanged. The codebook gets no gradient through this op; train it
    /// with the codebook and commitment losses (e.g. on <see cref="PairwiseSquaredDistance"/> or an MSE
    /// between the quantized rows and the detached encoder output).
    /// </remarks>
    public static (Tensor Quantized, int[] Indices) NearestCodebook(Tensor x, Tensor codebook)
    {
        CheckCodebookShapes("nearest_codebook", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0], D = x.Shape[1];
        if (K == 0) throw new ArgumentException($"nearest_codebook: codebook {Format(codebook.Shape)} is empty (x {Format(x.Shape)}).");
        var cs = codebook.Contiguous().Detach();
        var scores = new float[N * K];
        // |x_n|^2 is the same for every entry of row n, so the argmin needs only |c|^2 - 2 x c^T.
        SquaredDistances(x.Contiguous().Detach(), cs, scores, includeRowNorm: false);
        var indices = new int[N];
        var quantized = Zeros(N, D);
        for (int n = 0; n < N; n++)
        {
            indices[n] = TensorPrimitives.IndexOfMin(scores.AsSpan(n * K, K));
            cs.Span.Slice(indices[n] * D, D).CopyTo(quantized.Data.AsSpan(n * D, D));
        }
        return (Record("nearest_codebook", quantized, [x], g => x.AccumulateGrad(g)), indices);
    }

    static void CheckCodebookShapes(string op, Tensor x, Tensor codebook)
    {
        if (x.Rank != 2 || codebook.Rank != 2 || x.Shape[1] != codebook.Shape[1])
            throw new ArgumentException($"{op}: expected x (N, D) and codebook (K, D), got {Format(x.Shape)} and {Format(codebook.Shape)}.");
    }

    /// <summary>dst (N, K) = |c_k|^2 - 2 x_n . c_k, plus |x_n|^2 and clamped at 0 when includeRowNorm.</summary>
    static void SquaredDistances(Tensor x, Tensor c, float[] dst, bool includeRowNorm)
    {
        int N = x.Shape[0], K = c.Shape[0], D = x.Shape[1];
        Gemm.Sgemm(false, true, N, K, D, -2f, x.Data, x.Offset, D, c.Data, c.Offset, D, 0f, dst, 0, K);
        var cNorms = new float[K];
        for (int k = 0; k < K; k++) cNorms[k] = TensorPrimitives.SumOfSquares(c.Span.Slice(k * D, D));
        for (int n = 0; n < N; n++)
        {
            var row = dst.AsSpan(n * K, K);
            TensorPrimitives.Add(row, cNorms, row);
            if (!includeRowNorm) continue;
            TensorPrimitives.Add(row, TensorPrimitives.SumOfSquares(x.Span.Slice(n * D, D)), row);
            TensorPrimitives.Max(row, 0f, row);
        }
    }
}
