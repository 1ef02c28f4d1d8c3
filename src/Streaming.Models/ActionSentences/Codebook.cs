using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Streaming.Tensors;
using Streaming.Tensors.Inference;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// Codebook lookups for vector quantization: all-pairs squared distances as one matrix product, the nearest entry,
/// and the straight-through lookup that both the Euclidean and the hyperbolic quantizers end in.
/// </summary>
public static class Codebook
{
    /// <summary>|x_n - c_k|^2 for x (N, D) and codebook (K, D) -> (N, K), computed as |x|^2 + |c|^2 - 2 x c^T and clamped at 0.</summary>
    public static Tensor PairwiseSquaredDistance(Tensor x, Tensor codebook)
    {
        CheckShapes("pairwise_squared_distance", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0], D = x.Shape[1];
        var xs = x.Contiguous().Detach();
        var cs = codebook.Contiguous().Detach();
        var result = SquaredDistances(xs, cs, includeRowNorm: true);

        return Tensor.CustomOp("pairwise_squared_distance", result, [x, codebook], g =>
        {
            // d/dx_n = 2 (sum_k g_nk) x_n - 2 (g C)_n;  d/dc_k = 2 (sum_n g_nk) c_k - 2 (g^T X)_k
            Tensor? dx = null, dc = null;
            if (x.RequiresGrad)
            {
                dx = g.MatMul(cs).Mul(-2f).Contiguous(); // (N, D)
                for (int n = 0; n < N; n++)
                    TensorPrimitives.MultiplyAdd(xs.Span.Slice(n * D, D), 2f * TensorPrimitives.Sum(g.Span.Slice(n * K, K)), dx.Span.Slice(n * D, D), dx.Span.Slice(n * D, D));
            }
            if (codebook.RequiresGrad)
            {
                dc = g.T.MatMul(xs).Mul(-2f).Contiguous(); // (K, D)
                var colSums = g.Sum(0).ToArray();
                for (int k = 0; k < K; k++)
                    TensorPrimitives.MultiplyAdd(cs.Span.Slice(k * D, D), 2f * colSums[k], dc.Span.Slice(k * D, D), dc.Span.Slice(k * D, D));
            }
            return [dx, dc];
        });
    }

    /// <summary>
    /// The nearest codebook row (squared Euclidean distance, first on ties) for each row of x (N, D):
    /// returns those rows (N, D), with the straight-through gradient of <see cref="StraightThrough"/>, and their indices.
    /// </summary>
    public static (Tensor Quantized, int[] Indices) Nearest(Tensor x, Tensor codebook)
    {
        CheckShapes("nearest_codebook", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0];
        if (K == 0) throw new ArgumentException($"nearest_codebook: codebook {Tensor.Format(codebook.Shape)} is empty (x {Tensor.Format(x.Shape)}).");
        // |x_n|^2 is the same for every entry of row n, so the argmin needs only |c|^2 - 2 x c^T.
        var scores = SquaredDistances(x.Contiguous().Detach(), codebook.Contiguous().Detach(), includeRowNorm: false);
        var indices = new int[N];
        for (int n = 0; n < N; n++) indices[n] = TensorPrimitives.IndexOfMin(scores.Span.Slice(n * K, K));
        return (StraightThrough(x, codebook, indices), indices);
    }

    /// <summary>
    /// Codebook rows picked by <paramref name="indices"/> (N) for x (N, D) -> (N, D), as x + (q - x).detach() in VQ-VAE:
    /// the forward value is the codebook row and the gradient reaches x unchanged.
    /// </summary>
    /// <remarks>The codebook gets no gradient through this op; train it with the codebook and commitment losses.</remarks>
    public static Tensor StraightThrough(Tensor x, Tensor codebook, int[] indices)
    {
        CheckShapes("codebook_straight_through", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0], D = x.Shape[1];
        if (indices.Length != N)
            throw new ArgumentException($"codebook_straight_through: {indices.Length} indices for x {Tensor.Format(x.Shape)}.", nameof(indices));
        var cs = codebook.Contiguous().Detach();
        var quantized = Tensor.Zeros(N, D);
        for (int n = 0; n < N; n++)
        {
            if ((uint)indices[n] >= (uint)K)
                throw new ArgumentOutOfRangeException(nameof(indices), $"codebook_straight_through: index {indices[n]} at row {n} out of range for codebook {Tensor.Format(codebook.Shape)}.");
            cs.Span.Slice(indices[n] * D, D).CopyTo(quantized.Span.Slice(n * D, D));
        }
        return Tensor.CustomOp("codebook_straight_through", quantized, [x], g => [g]);
    }

    static void CheckShapes(string op, Tensor x, Tensor codebook)
    {
        if (x.Rank != 2 || codebook.Rank != 2 || x.Shape[1] != codebook.Shape[1])
            throw new ArgumentException($"{op}: expected x (N, D) and codebook (K, D), got {Tensor.Format(x.Shape)} and {Tensor.Format(codebook.Shape)}.");
    }

    /// <summary>(N, K) = |c_k|^2 - 2 x_n . c_k, plus |x_n|^2 and clamped at 0 when includeRowNorm.</summary>
    /// <summary>
    /// For serving: the nearest row of <paramref name="codebook"/> (K, D) to each row of x (N, D) by squared Euclidean
    /// distance, as <see cref="Nearest"/> picks it: argmin over k of |c_k|^2 - 2 x c_k, from one product into
    /// <paramref name="scores"/>' storage. Allocates only the ids.
    /// </summary>
    public static int[] NearestIndices(Tensor x, Tensor codebook, InferenceBuffer scores, InferenceBuffer norms)
    {
        CheckShapes("nearest_codebook", x, codebook);
        int N = x.Shape[0], K = codebook.Shape[0], D = x.Shape[1];
        var squaredNorms = norms.Floats(K);
        for (int k = 0; k < K; k++) squaredNorms[k] = TensorPrimitives.SumOfSquares(codebook.Span.Slice(k * D, D));
        var products = scores.View(N, K);
        InferenceKernels.Linear(x, codebook, null, products);                       // x c^T
        var ids = new int[N];
        for (int n = 0; n < N; n++)
        {
            var row = products.Span.Slice(n * K, K);
            TensorPrimitives.MultiplyAdd(row, -2f, squaredNorms.AsSpan(0, K), row);
            ids[n] = TensorPrimitives.IndexOfMin(row);
        }
        return ids;
    }

    static Tensor SquaredDistances(Tensor x, Tensor c, bool includeRowNorm)
    {
        int N = x.Shape[0], K = c.Shape[0], D = x.Shape[1];
        var dst = x.MatMul(c.T).Mul(-2f).Contiguous();
        var cNorms = new float[K];
        for (int k = 0; k < K; k++) cNorms[k] = TensorPrimitives.SumOfSquares(c.Span.Slice(k * D, D));
        for (int n = 0; n < N; n++)
        {
            var row = dst.Span.Slice(n * K, K);
            TensorPrimitives.Add(row, cNorms, row);
            if (!includeRowNorm) continue;
            TensorPrimitives.Add(row, TensorPrimitives.SumOfSquares(x.Span.Slice(n * D, D)), row);
            TensorPrimitives.Max(row, 0f, row);
        }
        return dst;
    }
}
