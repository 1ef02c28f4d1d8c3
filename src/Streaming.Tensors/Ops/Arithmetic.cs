namespace Streaming.Tensors;

// Broadcasting arithmetic. Backward sums each input's gradient over the dimensions it was broadcast along.
public sealed partial class Tensor
{
    public Tensor Add(Tensor other) => Binary("add", this, other, BinaryKernel.Add, (a, b, g) =>
    {
        a.AccumulateGrad(Broadcasting.SumTo(g, a.Shape));
        b.AccumulateGrad(Broadcasting.SumTo(g, b.Shape));
    });

    public Tensor Sub(Tensor other) => Binary("sub", this, other, BinaryKernel.Subtract, (a, b, g) =>
    {
        a.AccumulateGrad(Broadcasting.SumTo(g, a.Shape));
        if (b.RequiresGrad) b.AccumulateGrad(Broadcasting.SumTo(g, b.Shape).Neg());
    });

    public Tensor Mul(Tensor other) => Binary("mul", this, other, BinaryKernel.Multiply, (a, b, g) =>
    {
        if (a.RequiresGrad) a.AccumulateGrad(Broadcasting.SumTo(g.Mul(b), a.Shape));
        if (b.RequiresGrad) b.AccumulateGrad(Broadcasting.SumTo(g.Mul(a), b.Shape));
    });

    public Tensor Div(Tensor other) => Binary("div", this, other, BinaryKernel.Divide, (a, b, g) =>
    {
        if (a.RequiresGrad) a.AccumulateGrad(Broadcasting.SumTo(g.Div(b), a.Shape));
        // d(a/b)/db = -a / b^2
        if (b.RequiresGrad) b.AccumulateGrad(Broadcasting.SumTo(g.Mul(a).Div(b.Mul(b)).Neg(), b.Shape));
    });

    public Tensor Add(float value) => Scalar("add_scalar", this, value, BinaryKernel.Add, g => g);

    public Tensor Sub(float value) => Scalar("sub_scalar", this, value, BinaryKernel.Subtract, g => g);

    public Tensor Mul(float value) => Scalar("mul_scalar", this, value, BinaryKernel.Multiply, g => g.Mul(value));

    public Tensor Div(float value) => Scalar("div_scalar", this, value, BinaryKernel.Divide, g => g.Div(value));

    public Tensor Neg() => Mul(-1f);

    /// <summary>value - this.</summary>
    public Tensor RSub(float value) => Neg().Add(value);

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator +(Tensor a, float b) => a.Add(b);
    public static Tensor operator -(Tensor a, float b) => a.Sub(b);
    public static Tensor operator *(Tensor a, float b) => a.Mul(b);
    public static Tensor operator /(Tensor a, float b) => a.Div(b);
    public static Tensor operator *(float a, Tensor b) => b.Mul(a);
    public static Tensor operator +(float a, Tensor b) => b.Add(a);
    public static Tensor operator -(float a, Tensor b) => b.RSub(a);
    public static Tensor operator -(Tensor a) => a.Neg();

    static Tensor Binary(string op, Tensor a, Tensor b, BinaryKernel kernel, Action<Tensor, Tensor, Tensor> backward)
    {
        var shape = Broadcasting.Shape(op, a.Shape, b.Shape);
        var result = Zeros(shape);
        Broadcasting.Apply(a, b, shape, result.Span, kernel);
        return Record(op, result, [a, b], g => backward(a, b, g));
    }

    static Tensor Scalar(string op, Tensor a, float value, BinaryKernel kernel, Func<Tensor, Tensor> backward)
    {
        var src = a.IsContiguous ? a : a.Detach().Contiguous();
        var result = Zeros(a.Shape);
        kernel.RowScalar(src.Span, value, result.Span);
        return Record(op, result, [a], g => a.AccumulateGrad(backward(g)));
    }
}
