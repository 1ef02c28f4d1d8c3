using System.Numerics.Tensors;

namespace Streaming.Tensors;

// The Poincare ball of curvature -c: maps between the tangent space at the origin and the ball, and
// geodesic distances, each over the last dimension. Scalar math and clamping: Kernels/PoincareBall.cs.
public sealed partial class Tensor
{
    /// <summary>
    /// Exponential map at the origin, per row of the last dimension: tanh(sqrt(c)|v|) v / (sqrt(c)|v|),
    /// with the result's norm clamped to 1/sqrt(c) - 1e-5 so it stays strictly inside the ball. Exact at v = 0.
    /// </summary>
    public static Tensor PoincareExpMap0(Tensor v, float c = 1f) => RadialMap("poincare_expmap0", v, c, PoincareBall.ExpMap0);

    /// <summary>
    /// Logarithmic map at the origin, per row of the last dimension: artanh(sqrt(c)|y|) y / (sqrt(c)|y|),
    /// with |y| clamped to 1/sqrt(c) - 1e-5 (points on or outside the boundary map as if just inside it).
    /// </summary>
    public static Tensor PoincareLogMap0(Tensor y, float c = 1f) => RadialMap("poincare_logmap0", y, c, PoincareBall.LogMap0);

    /// <summary>
    /// Geodesic distance between matching rows of x and y (same shape (..., D)) -> (...):
    /// (1/sqrt(c)) arccosh(1 + 2c|x-y|^2 / ((1 - c|x|^2)(1 - c|y|^2))).
    /// </summary>
    /// <remarks>The factors 1 - c|.|^2 are computed as if norms were at most 1/sqrt(c) - 1e-5, and the
    /// arccosh argument is at least 1 + 1e-12, so equal points are ~1.4e-6 / sqrt(c) apart with zero gradient.</remarks>
    public static Tensor PoincareDistance(Tensor x, Tensor y, float c = 1f)
    {
        CheckCurvature("poincare_distance", c, x);
        if (x.Rank == 0 || !SameShape(x.Shape, y.Shape))
            throw new ArgumentException($"poincare_distance: expected x and y of the same shape (..., D), got {Format(x.Shape)} and {Format(y.Shape)}; use PairwisePoincareDistance for (N, D) against (K, D).");
        int D = x.Shape[^1], rows = x.Size / Math.Max(D, 1);
        var xs = x.Contiguous().Detach();
        var ys = y.Contiguous().Detach();
        var result = Zeros(x.Shape[..^1]);
        var pairs = new PoincareBall.Pair[rows];
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Span.Slice(r * D, D);
            var yr = ys.Span.Slice(r * D, D);
            pairs[r] = PoincareBall.Distance(PoincareBall.NormSquared(xr), PoincareBall.NormSquared(yr), PoincareBall.DistanceSquared(xr, yr), c);
            result.Data[r] = (float)pairs[r].Distance;
        }
        return Record("poincare_distance", result, [x, y], g =>
        {
            var dx = Zeros(x.Shape);
            var dy = Zeros(y.Shape);
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
            x.AccumulateGrad(dx);
            y.AccumulateGrad(dy);
        });
    }

    /// <summary>
    /// Geodesic distances between every row of x (N, D) and every row of y (K, D) -> (N, K), e.g. encoder
    /// outputs against a hyperbolic codebook; same formula and clamping as <see cref="PoincareDistance"/>.
    /// </summary>
    public static Tensor PairwisePoincareDistance(Tensor x, Tensor y, float c = 1f)
    {
        CheckCurvature("pairwise_poincare_distance", c, x);
        if (x.Rank != 2 || y.Rank != 2 || x.Shape[1] != y.Shape[1])
            throw new ArgumentException($"pairwise_poincare_distance: expected x (N, D) and y (K, D), got {Format(x.Shape)} and {Format(y.Shape)}.");
        int N = x.Shape[0], K = y.Shape[0], D = x.Shape[1];
        var xs = x.Contiguous().Detach();
        var ys = y.Contiguous().Detach();
        var x2 = new double[N];
        var y2 = new double[K];
        for (int n = 0; n < N; n++) x2[n] = PoincareBall.NormSquared(xs.Span.Slice(n * D, D));
        for (int k = 0; k < K; k++) y2[k] = PoincareBall.NormSquared(ys.Span.Slice(k * D, D));
        var result = Zeros(N, K);
        var pairs = new PoincareBall.Pair[N * K];
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
            {
                // Differences rather than |x|^2 + |y|^2 - 2x.y: near the boundary t divides by ~1e-5^2 and would amplify the cancellation.
                var p = PoincareBall.Distance(x2[n], y2[k], PoincareBall.DistanceSquared(xs.Span.Slice(n * D, D), ys.Span.Slice(k * D, D)), c);
                pairs[n * K + k] = p;
                result.Data[n * K + k] = (float)p.Distance;
            }

        return Record("pairwise_poincare_distance", result, [x, y], g =>
        {
            // dx_n = x_n sum_k w_nk (1 + XPull_nk) - sum_k w_nk y_k, and symmetrically for y; the sums over rows are GEMMs.
            var w = new float[N * K];
            var xScale = new double[N];
            var yScale = new double[K];
            for (int n = 0; n < N; n++)
                for (int k = 0; k < K; k++)
                {
                    var p = pairs[n * K + k];
                    double wnk = g.Data[g.Offset + n * K + k] * p.Weight;
                    w[n * K + k] = (float)wnk;
                    xScale[n] += wnk * (1 + p.XPull);
                    yScale[k] += wnk * (1 + p.YPull);
                }
            if (x.RequiresGrad)
            {
                var dx = Zeros(N, D);
                Gemm.Sgemm(false, false, N, D, K, -1f, w, 0, K, ys.Data, ys.Offset, D, 0f, dx.Data, 0, D);
                for (int n = 0; n < N; n++)
                    TensorPrimitives.MultiplyAdd(xs.Span.Slice(n * D, D), (float)xScale[n], dx.Data.AsSpan(n * D, D), dx.Data.AsSpan(n * D, D));
                x.AccumulateGrad(dx);
            }
            if (y.RequiresGrad)
            {
                var dy = Zeros(K, D);
                Gemm.Sgemm(true, false, K, D, N, -1f, w, 0, K, xs.Data, xs.Offset, D, 0f, dy.Data, 0, D);
                for (int k = 0; k < K; k++)
                    TensorPrimitives.MultiplyAdd(ys.Span.Slice(k * D, D), (float)yScale[k], dy.Data.AsSpan(k * D, D), dy.Data.AsSpan(k * D, D));
                y.AccumulateGrad(dy);
            }
        });
    }

    /// <summary>out = phi(|v|) v per row of the last dimension; backward dv = phi g + (phi'(n)/n) (g . v) v.</summary>
    static Tensor RadialMap(string op, Tensor v, float c, Func<double, double, (double Phi, double DPhiOverN)> map)
    {
        CheckCurvature(op, c, v);
        if (v.Rank == 0) throw new ArgumentException($"{op}: expected vectors along the last dimension, got shape {Format(v.Shape)}.");
        int D = v.Shape[^1], rows = v.Size / Math.Max(D, 1);
        var vs = v.Contiguous().Detach();
        var result = Zeros(v.Shape);
        var terms = new (double Phi, double DPhiOverN)[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = vs.Span.Slice(r * D, D);
            terms[r] = map(Math.Sqrt(PoincareBall.NormSquared(row)), c);
            TensorPrimitives.Multiply(row, (float)terms[r].Phi, result.Data.AsSpan(r * D, D));
        }
        return Record(op, result, [v], g =>
        {
            var dv = Zeros(v.Shape);
            for (int r = 0; r < rows; r++)
            {
                var row = vs.Span.Slice(r * D, D);
                var gr = g.Span.Slice(r * D, D);
                double gv = 0;
                for (int j = 0; j < D; j++) gv += (double)gr[j] * row[j];
                var (phi, dPhiOverN) = terms[r];
                for (int j = 0; j < D; j++) dv.Data[r * D + j] = (float)(phi * gr[j] + dPhiOverN * gv * row[j]);
            }
            v.AccumulateGrad(dv);
        });
    }

    static void CheckCurvature(string op, float c, Tensor x)
    {
        if (!(c > 0f) || !float.IsFinite(c) || PoincareBall.MaxNorm(c) <= 0)
            throw new ArgumentOutOfRangeException(nameof(c), $"{op}: curvature c = {c} must be positive, finite and below 1e10 (input {Format(x.Shape)}).");
    }
}
