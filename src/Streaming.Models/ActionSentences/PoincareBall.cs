using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Streaming.Tensors;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// The Poincare ball of curvature -c, where the action-sentence codebook lives: maps between the tangent space at
/// the origin and the ball, and geodesic distances, each over the last dimension. Scalar math and clamping:
/// <see cref="PoincareMath"/>.
/// </summary>
public static class PoincareBall
{
    /// <summary>
    /// Exponential map at the origin, per row of the last dimension: tanh(sqrt(c)|v|) v / (sqrt(c)|v|),
    /// with the result's norm clamped to 1/sqrt(c) - 1e-5 so it stays strictly inside the ball. Exact at v = 0.
    /// </summary>
    public static Tensor ExpMap0(Tensor v, float c = 1f) => RadialMap("poincare_expmap0", v, c, PoincareMath.ExpMap0);

    /// <summary>
    /// Logarithmic map at the origin, per row of the last dimension: artanh(sqrt(c)|y|) y / (sqrt(c)|y|),
    /// with |y| clamped to 1/sqrt(c) - 1e-5 (points on or outside the boundary map as if just inside it).
    /// </summary>
    public static Tensor LogMap0(Tensor y, float c = 1f) => RadialMap("poincare_logmap0", y, c, PoincareMath.LogMap0);

    /// <summary>
    /// Geodesic distance between matching rows of x and y (same shape (..., D)) -> (...):
    /// (1/sqrt(c)) arccosh(1 + 2c|x-y|^2 / ((1 - c|x|^2)(1 - c|y|^2))).
    /// </summary>
    /// <remarks>The factors 1 - c|.|^2 are computed as if norms were at most 1/sqrt(c) - 1e-5, and the
    /// arccosh argument is at least 1 + 1e-12, so equal points are ~1.4e-6 / sqrt(c) apart with zero gradient.</remarks>
    public static Tensor Distance(Tensor x, Tensor y, float c = 1f)
    {
        CheckCurvature("poincare_distance", c, x);
        if (x.Rank == 0 || !Tensor.SameShape(x.Shape, y.Shape))
            throw new ArgumentException($"poincare_distance: expected x and y of the same shape (..., D), got {Tensor.Format(x.Shape)} and {Tensor.Format(y.Shape)}; use PairwiseDistance for (N, D) against (K, D).");
        int D = x.Shape[^1], rows = x.Size / Math.Max(D, 1);
        var xs = x.Contiguous().Detach();
        var ys = y.Contiguous().Detach();
        var result = Tensor.Zeros(x.Shape[..^1]);
        var pairs = new PoincareMath.Pair[rows];
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Span.Slice(r * D, D);
            var yr = ys.Span.Slice(r * D, D);
            pairs[r] = PoincareMath.Distance(PoincareMath.NormSquared(xr), PoincareMath.NormSquared(yr), PoincareMath.DistanceSquared(xr, yr), c);
            result.Data[r] = (float)pairs[r].Distance;
        }
        return Tensor.CustomOp("poincare_distance", result, [x, y], g =>
        {
            var dx = Tensor.Zeros(x.Shape);
            var dy = Tensor.Zeros(y.Shape);
            for (int r = 0; r < rows; r++)
            {
                var p = pairs[r];
                double w = g.Data[g.Offset + r] * p.Weight;
                var xr = xs.Span.Slice(r * D, D);
                var yr = ys.Span.Slice(r * D, D);
                for (int j = 0; j < D; j++)
                {
                    dx.Data[r * D + j] = (float)(w * ((xr[j] - yr[j]) + p.XPull * xr[j]));
                    dy.Data[r * D + j] = (float)(w * ((yr[j] - xr[j]) + p.YPull * yr[j]));
                }
            }
            return [dx, dy];
        });
    }

    /// <summary>
    /// Geodesic distances between every row of x (N, D) and every row of y (K, D) -> (N, K), e.g. encoder
    /// outputs against a hyperbolic codebook; same formula and clamping as <see cref="Distance"/>.
    /// </summary>
    public static Tensor PairwiseDistance(Tensor x, Tensor y, float c = 1f)
    {
        CheckCurvature("pairwise_poincare_distance", c, x);
        if (x.Rank != 2 || y.Rank != 2 || x.Shape[1] != y.Shape[1])
            throw new ArgumentException($"pairwise_poincare_distance: expected x (N, D) and y (K, D), got {Tensor.Format(x.Shape)} and {Tensor.Format(y.Shape)}.");
        int N = x.Shape[0], K = y.Shape[0], D = x.Shape[1];
        var xs = x.Contiguous().Detach();
        var ys = y.Contiguous().Detach();
        var x2 = new double[N];
        var y2 = new double[K];
        for (int n = 0; n < N; n++) x2[n] = PoincareMath.NormSquared(xs.Span.Slice(n * D, D));
        for (int k = 0; k < K; k++) y2[k] = PoincareMath.NormSquared(ys.Span.Slice(k * D, D));
        var result = Tensor.Zeros(N, K);
        var pairs = new PoincareMath.Pair[N * K];
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
            {
                // Differences rather than |x|^2 + |y|^2 - 2x.y: near the boundary t divides by ~1e-5^2 and would amplify the cancellation.
                var p = PoincareMath.Distance(x2[n], y2[k], PoincareMath.DistanceSquared(xs.Span.Slice(n * D, D), ys.Span.Slice(k * D, D)), c);
                pairs[n * K + k] = p;
                result.Data[n * K + k] = (float)p.Distance;
            }

        return Tensor.CustomOp("pairwise_poincare_distance", result, [x, y], g =>
        {
            // dx_n = x_n sum_k w_nk (1 + XPull_nk) - sum_k w_nk y_k, and symmetrically for y; the sums over rows are matrix products.
            var w = Tensor.Zeros(N, K);
            var xScale = new double[N];
            var yScale = new double[K];
            for (int n = 0; n < N; n++)
                for (int k = 0; k < K; k++)
                {
                    var p = pairs[n * K + k];
                    double wnk = g.Data[g.Offset + n * K + k] * p.Weight;
                    w.Data[n * K + k] = (float)wnk;
                    xScale[n] += wnk * (1 + p.XPull);
                    yScale[k] += wnk * (1 + p.YPull);
                }
            Tensor? dx = null, dy = null;
            if (x.RequiresGrad)
            {
                dx = w.MatMul(ys).Neg().Contiguous(); // (N, D)
                for (int n = 0; n < N; n++)
                    TensorPrimitives.MultiplyAdd(xs.Span.Slice(n * D, D), (float)xScale[n], dx.Span.Slice(n * D, D), dx.Span.Slice(n * D, D));
            }
            if (y.RequiresGrad)
            {
                dy = w.T.MatMul(xs).Neg().Contiguous(); // (K, D)
                for (int k = 0; k < K; k++)
                    TensorPrimitives.MultiplyAdd(ys.Span.Slice(k * D, D), (float)yScale[k], dy.Span.Slice(k * D, D), dy.Span.Slice(k * D, D));
            }
            return [dx, dy];
        });
    }

    /// <summary>out = phi(|v|) v per row of the last dimension; backward dv = phi g + (phi'(n)/n) (g . v) v.</summary>
    static Tensor RadialMap(string op, Tensor v, float c, Func<double, double, (double Phi, double DPhiOverN)> map)
    {
        CheckCurvature(op, c, v);
        if (v.Rank == 0) throw new ArgumentException($"{op}: expected vectors along the last dimension, got shape {Tensor.Format(v.Shape)}.");
        int D = v.Shape[^1], rows = v.Size / Math.Max(D, 1);
        var vs = v.Contiguous().Detach();
        var result = Tensor.Zeros(v.Shape);
        var terms = new (double Phi, double DPhiOverN)[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = vs.Span.Slice(r * D, D);
            terms[r] = map(Math.Sqrt(PoincareMath.NormSquared(row)), c);
            TensorPrimitives.Multiply(row, (float)terms[r].Phi, result.Data.AsSpan(r * D, D));
        }
        return Tensor.CustomOp(op, result, [v], g =>
        {
            var dv = Tensor.Zeros(v.Shape);
            for (int r = 0; r < rows; r++)
            {
                var row = vs.Span.Slice(r * D, D);
                var gr = g.Span.Slice(r * D, D);
                double gv = 0;
                for (int j = 0; j < D; j++) gv += (double)gr[j] * row[j];
                var (phi, dPhiOverN) = terms[r];
                for (int j = 0; j < D; j++) dv.Data[r * D + j] = (float)(phi * gr[j] + dPhiOverN * gv * row[j]);
            }
            return [dv];
        });
    }

    static void CheckCurvature(string op, float c, Tensor x)
    {
        if (!(c > 0f) || !float.IsFinite(c) || PoincareMath.MaxNorm(c) <= 0)
            throw new ArgumentOutOfRangeException(nameof(c), $"{op}: curvature c = {c} must be positive, finite and below 1e10 (input {Tensor.Format(x.Shape)}).");
    }
}
