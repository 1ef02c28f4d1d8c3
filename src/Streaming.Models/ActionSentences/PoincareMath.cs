namespace Streaming.Models.ActionSentences;

/// <summary>
/// Scalar math of the Poincare ball of curvature -c (radius 1/sqrt(c)), in double precision: near the
/// boundary 1 - c|x|^2 cancels, and near the origin the maps' ratios need series. Points are kept at
/// most <see cref="BoundaryMargin"/> inside the boundary, so distances and gradients stay finite.
/// </summary>
internal static class PoincareMath
{
    public const double BoundaryMargin = 1e-5;

    /// <summary>arccosh's argument is clamped to at least 1 + this: its derivative is infinite at 1 (x = y).</summary>
    public const double MinArcoshExcess = 1e-12;

    /// <summary>Below this sqrt(c)|v| the maps' ratios switch to series, where the closed forms cancel.</summary>
    const double SeriesBelow = 1e-3;

    public static double MaxNorm(double c) => 1.0 / Math.Sqrt(c) - BoundaryMargin;

    /// <summary>
    /// exp_0(v) = phi(n) v with phi = tanh(sqrt(c) n) / (sqrt(c) n), n = |v|, the result's norm clamped
    /// to <see cref="MaxNorm"/>. Returns phi and phi'(n) / n, the two terms of the backward.
    /// </summary>
    public static (double Phi, double DPhiOverN) ExpMap0(double n, double c)
    {
        double s = Math.Sqrt(c), u = s * n, maxNorm = MaxNorm(c);
        if (Math.Tanh(u) / s > maxNorm) return (maxNorm / n, -maxNorm / (n * n * n));
        if (u < SeriesBelow) return (1 - u * u / 3, c * (-2.0 / 3 + 8 * u * u / 15));
        double t = Math.Tanh(u);
        return (t / u, c * (u * (1 - t * t) - t) / (u * u * u));
    }

    /// <summary>
    /// log_0(y) = phi(n) y with phi = artanh(sqrt(c) n) / (sqrt(c) n), n = |y| clamped to <see cref="MaxNorm"/>.
    /// Returns phi and phi'(n) / n.
    /// </summary>
    public static (double Phi, double DPhiOverN) LogMap0(double n, double c)
    {
        double s = Math.Sqrt(c), maxNorm = MaxNorm(c);
        if (n > maxNorm)
        {
            double r = Math.Atanh(s * maxNorm) / s;
            return (r / n, -r / (n * n * n));
        }
        double u = s * n;
        if (u < SeriesBelow) return (1 + u * u / 3, c * (2.0 / 3 + 4 * u * u / 5));
        double a = Math.Atanh(u);
        return (a / u, c * (u / (1 - u * u) - a) / (u * u * u));
    }

    /// <summary>
    /// d(x, y) = arccosh(1 + t) / sqrt(c), t = 2c|x-y|^2 / ((1 - c|x|^2)(1 - c|y|^2)), from x2 = |x|^2,
    /// y2 = |y|^2 and delta = |x-y|^2. The factors 1 - c|.|^2 are clamped as if the norms were at most
    /// <see cref="MaxNorm"/>, and t at least <see cref="MinArcoshExcess"/>.
    /// </summary>
    /// <remarks>
    /// For the backward: dd/dx = Weight * ((x - y) + XPull * x) and dd/dy = Weight * ((y - x) + YPull * y),
    /// with Weight = d'(t) 4c / (alpha beta), XPull = c delta / alpha (0 where alpha was clamped), and
    /// YPull likewise.
    /// </remarks>
    public static Pair Distance(double x2, double y2, double delta, double c)
    {
        double maxNorm = MaxNorm(c), minFactor = 1 - c * maxNorm * maxNorm;
        double alpha = 1 - c * x2, beta = 1 - c * y2;
        bool alphaFree = alpha >= minFactor, betaFree = beta >= minFactor;
        if (!alphaFree) alpha = minFactor;
        if (!betaFree) beta = minFactor;
        double t = 2 * c * delta / (alpha * beta);
        bool tFree = t >= MinArcoshExcess;
        if (!tFree) t = MinArcoshExcess;
        double s = Math.Sqrt(c);
        // arccosh(1 + t) = log(1 + t + sqrt(t (t + 2))), without forming 1 + t - 1 for small t.
        double root = Math.Sqrt(t * (t + 2));
        double distance = Math.Log(1 + t + root) / s;
        double weight = tFree ? 4 * c / (alpha * beta * s * root) : 0;
        return new Pair(distance, weight, alphaFree ? c * delta / alpha : 0, betaFree ? c * delta / beta : 0);
    }

    /// <summary>|x|^2 accumulated in double: 1 - c|x|^2 near the boundary needs the digits.</summary>
    public static double NormSquared(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x) sum += (double)v * v;
        return sum;
    }

    /// <summary>
    /// |x - y|^2, in float with SIMD: the differences are exact for nearby points and the sum keeps float's relative
    /// precision, which the division by (1 - |x|^2)(1 - |y|^2) does not amplify (the dot-product form would).
    /// </summary>
    public static double DistanceSquared(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double d = System.Numerics.Tensors.TensorPrimitives.Distance(x, y);
        return d * d;
    }

    public readonly record struct Pair(double Distance, double Weight, double XPull, double YPull);
}
