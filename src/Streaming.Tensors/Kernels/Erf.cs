namespace Streaming.Tensors;

/// <summary>
/// The error function, for exact GELU. Numerical Recipes' Chebyshev fit of erfc (fractional error
/// below 1.2e-7 everywhere), evaluated in double so float results are correctly rounded in practice.
/// </summary>
internal static class Erf
{
    public static float Evaluate(float x)
    {
        double z = Math.Abs((double)x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
            t * (-0.82215223 + t * 0.17087277)))))))));
        return (float)(x >= 0 ? 1.0 - erfc : erfc - 1.0);
    }
}
