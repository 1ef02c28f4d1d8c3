using System.Buffers;
using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Unary elementwise ops. Each saves only what its backward reads: the output for exp, sigmoid, tanh
// and sqrt; the input for the rest.
public sealed partial class Tensor
{
    public Tensor Exp()
    {
        var y = Unary(TensorPrimitives.Exp);
        return Record("exp", y, [this], g => AccumulateGrad(g.Mul(y)));
    }

    public Tensor Log()
    {
        var y = Unary(TensorPrimitives.Log);
        return Record("log", y, [this], g => AccumulateGrad(g.Div(this)));
    }

    public Tensor Sqrt()
    {
        var y = Unary(TensorPrimitives.Sqrt);
        return Record("sqrt", y, [this], g => AccumulateGrad(g.Div(y.Mul(2f))));
    }

    public Tensor Sigmoid()
    {
        var y = Unary(FastSigmoid);
        return Record("sigmoid", y, [this], g => AccumulateGrad(g.Mul(y.Mul(y.RSub(1f)))));
    }

    public Tensor Tanh()
    {
        var y = Unary(TensorPrimitives.Tanh);
        return Record("tanh", y, [this], g => AccumulateGrad(g.Mul(y.Mul(y).RSub(1f))));
    }

    public Tensor Relu()
    {
        var y = Unary((x, o) => TensorPrimitives.Max(x, 0f, o));
        // Zero only where x <= 0, as PyTorch's threshold_backward: a NaN input passes its gradient on.
        return Record("relu", y, [this], g => AccumulateGrad(Map2(g, this, (gv, x) => x <= 0 ? 0f : gv)));
    }

    /// <summary>x * sigmoid(x).</summary>
    public Tensor Silu()
    {
        var y = Unary(SiluForward);
        // d/dx x s(x) = s (1 + x (1 - s)), vectorized: the scalar form took 8% of a training step.
        return Record("silu", y, [this], g =>
        {
            var x = IsContiguous ? Data.AsSpan(Offset, Size) : ToArray();
            var dx = Zeros(Shape);
            var d = dx.Span;
            var pooled = ArrayPool<float>.Shared.Rent(Size);
            var s = pooled.AsSpan(0, Size);
            FastSigmoid(x, s);
            TensorPrimitives.Multiply(x, s, d);                 // x s
            TensorPrimitives.Subtract(x, d, d);                 // x (1 - s)
            TensorPrimitives.Add(d, 1f, d);
            TensorPrimitives.Multiply(d, s, d);
            TensorPrimitives.Multiply(d, g.Data.AsSpan(g.Offset, g.Size), d);
            ArrayPool<float>.Shared.Return(pooled);
            AccumulateOwnedGrad(dx);
        });
    }

    /// <summary>
    /// log(1 + exp(x)), a smooth ReLU that is always positive: computed as max(x, 0) + log(1 + exp(-|x|)) in double, so
    /// large x does not overflow and very negative x keeps its tiny value exp(x) instead of rounding to 0.
    /// </summary>
    public Tensor Softplus()
    {
        var y = Map(this, Softplus);
        // d/dx log(1 + exp(x)) = sigmoid(x)
        return Record("softplus", y, [this], g => AccumulateGrad(Map2(g, this, (gv, x) => gv / (1f + MathF.Exp(-x)))));
    }

    /// <summary>log(1 + exp(x)) of one value, as <see cref="Softplus()"/> computes it (for kernels that work in place).</summary>
    public static float Softplus(float x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return (float)(Math.Max(x, 0.0) + (e < 1e-8 ? e : Math.Log(1 + e))); // log(1 + e) ~ e below 1e-8
    }

    /// <summary>1 / (1 + exp(-x)) in three vectorized passes; TensorPrimitives.Sigmoid measured 13x slower than Exp here.</summary>
    internal static void FastSigmoid(ReadOnlySpan<float> x, Span<float> o)
    {
        TensorPrimitives.Negate(x, o);
        Exponential.Apply(o, o);
        TensorPrimitives.Add(o, 1f, o);
        TensorPrimitives.Divide(1f, o, o);
    }

    internal static void SiluForward(ReadOnlySpan<float> x, Span<float> o)
    {
        FastSigmoid(x, o);
        TensorPrimitives.Multiply(x, o, o);
    }

    /// <summary>GELU: exact (erf) as PyTorch's default, or the tanh approximation.</summary>
    public Tensor Gelu(bool tanhApproximation = false)
    {
        var y = tanhApproximation ? Map(this, GeluTanh) : Map(this, x => 0.5f * x * (1f + Erf.Evaluate(x * InvSqrt2)));
        return Record("gelu", y, [this], g => AccumulateGrad(Map2(g, this, tanhApproximation
            ? (gv, x) => gv * GeluTanhDerivative(x)
            : (gv, x) => gv * (0.5f * (1f + Erf.Evaluate(x * InvSqrt2)) + x * InvSqrt2Pi * MathF.Exp(-0.5f * x * x)))));
    }

    const float InvSqrt2 = 0.70710678118654752f;
    const float InvSqrt2Pi = 0.39894228040143268f;
    const float Sqrt2OverPi = 0.79788456080286536f;

    static float GeluTanh(float x) => 0.5f * x * (1f + MathF.Tanh(Sqrt2OverPi * (x + 0.044715f * x * x * x)));

    static float GeluTanhDerivative(float x)
    {
        float u = Sqrt2OverPi * (x + 0.044715f * x * x * x);
        float t = MathF.Tanh(u);
        return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * Sqrt2OverPi * (1f + 3f * 0.044715f * x * x);
    }

    /// <summary>Elementwise power with a constant exponent.</summary>
    public Tensor Pow(float exponent)
    {
        var y = Map(this, x => MathF.Pow(x, exponent));
        // x^0 is constant: zero gradient, as in PyTorch, rather than 0 * x^-1 (NaN at x = 0).
        return Record("pow", y, [this], g => AccumulateGrad(Map2(g, this, (gv, x) => exponent == 0f ? 0f : gv * exponent * MathF.Pow(x, exponent - 1f))));
    }

    public Tensor Square() => Mul(this);

    public Tensor Abs()
    {
        var y = Unary(TensorPrimitives.Abs);
        return Record("abs", y, [this], g => AccumulateGrad(Map2(g, this, (gv, x) => x > 0 ? gv : x < 0 ? -gv : 0f)));
    }

    /// <summary>Limits values to [min, max]; the gradient passes only where the input was inside. As in PyTorch, min &gt; max gives max everywhere.</summary>
    public Tensor Clamp(float min, float max)
    {
        var y = Map(this, x => MathF.Min(MathF.Max(x, min), max));
        return Record("clamp", y, [this], g => AccumulateGrad(Map2(g, this, (gv, x) => x >= min && x <= max ? gv : 0f)));
    }

    Tensor Unary(TensorPrimitivesUnary kernel)
    {
        var src = IsContiguous ? Data.AsSpan(Offset, Size) : ToArray();
        var result = Zeros(Shape);
        // Some TensorPrimitives kernels (Sigmoid) reject empty spans.
        if (Size > 0) kernel(src, result.Span);
        return result;
    }

    delegate void TensorPrimitivesUnary(ReadOnlySpan<float> x, Span<float> destination);

    static Tensor Map(Tensor x, Func<float, float> f)
    {
        var src = x.IsContiguous ? x.Data.AsSpan(x.Offset, x.Size) : x.ToArray();
        var result = Zeros(x.Shape);
        var dst = result.Span;
        for (int i = 0; i < dst.Length; i++) dst[i] = f(src[i]);
        return result;
    }

    /// <summary>f(a[i], b[i]) for two same-shaped tensors; used by backward rules.</summary>
    static Tensor Map2(Tensor a, Tensor b, Func<float, float, float> f)
    {
        var sa = a.IsContiguous ? a.Data.AsSpan(a.Offset, a.Size) : a.ToArray();
        var sb = b.IsContiguous ? b.Data.AsSpan(b.Offset, b.Size) : b.ToArray();
        var result = Zeros(a.Shape);
        var dst = result.Span;
        for (int i = 0; i < dst.Length; i++) dst[i] = f(sa[i], sb[i]);
        return result;
    }
}
