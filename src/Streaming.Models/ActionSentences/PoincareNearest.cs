using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Streaming.Tensors;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// The nearest point of the Poincare ball by geodesic distance, for encoding only: no distance matrix and no gradient.
/// For a fixed x, arccosh(1 + 2c|x - y|^2 / ((1 - c|x|^2)(1 - c|y|^2))) grows with |x - y| / sqrt(1 - c|y|^2), so
/// that ratio ranks the points as <see cref="PoincareBall.PairwiseDistance"/> does (with its clamp of 1 - c|y|^2),
/// at the cost of one vectorized difference per pair instead of a scalar double loop and an arccosh.
/// </summary>
public static class PoincareNearest
{
    /// <summary>For each row of x (N, D), the index of the nearest row of <paramref name="points"/> (K, D), the first on ties.</summary>
    public static int[] Indices(Tensor x, Tensor points, float c = 1f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(points);
        if (x.Rank != 2 || points.Rank != 2 || x.Shape[1] != points.Shape[1])
            throw new ArgumentException($"poincare_nearest: expected x (N, D) and points (K, D), got {Tensor.Format(x.Shape)} and {Tensor.Format(points.Shape)}.");
        if (!(c > 0f)) throw new ArgumentOutOfRangeException(nameof(c), $"poincare_nearest: curvature {c} must be positive.");
        int N = x.Shape[0], K = points.Shape[0], D = x.Shape[1];
        var xs = x.Contiguous().Span;
        var ys = points.Contiguous().Span;
        double maxNorm = PoincareMath.MaxNorm(c), minFactor = 1 - c * maxNorm * maxNorm;
        var scale = new float[K];
        for (int k = 0; k < K; k++)
            scale[k] = (float)(1 / Math.Sqrt(Math.Max(1 - c * PoincareMath.NormSquared(ys.Slice(k * D, D)), minFactor)));
        var ids = new int[N];
        for (int n = 0; n < N; n++)
        {
            var xn = xs.Slice(n * D, D);
            float best = float.PositiveInfinity;
            for (int k = 0; k < K; k++)
            {
                float d = TensorPrimitives.Distance(xn, ys.Slice(k * D, D)) * scale[k];
                if (d < best) (best, ids[n]) = (d, k);
            }
        }
        return ids;
    }
}
