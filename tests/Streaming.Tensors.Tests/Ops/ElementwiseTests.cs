using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Unary ops computed in float32 against torch in float64: a few ulps of the vectorized math plus the
// float32 rounding of the input to the op, so atol 1e-6 and rtol 1e-5 (gradients 1e-5 and 1e-4).
public class ElementwiseTests
{
    const float Atol = 1e-6f;
    const float Rtol = 1e-5f;

    /// <summary>A unary op: the torch expression over {x}, ours, and a generator of valid inputs of a shape.</summary>
    sealed record Unary(string Torch, Func<Tensor, Tensor> Ours, Func<int[], OracleInput> Input, float Atol = Atol, float Rtol = Rtol);

    /// <summary>
    /// The op on contiguous inputs of several shapes (size-1 dims, an empty one, a scalar) and on
    /// non-contiguous views (transpose, narrow, expand, whose gradient sums over the broadcast).
    /// </summary>
    static void CheckShapesAndViews(params Unary[] ops)
    {
        var cases = new List<OpCase>();
        foreach (var op in ops)
        {
            string Expr(string input) => op.Torch.Replace("{x}", input, StringComparison.Ordinal);
            foreach (int[] shape in new[] { new[] { 3, 4 }, [1, 5, 1], [2, 1, 3, 2], [0, 3], [], [7] })
                cases.Add(new OpCase(Expr("x0"), x => op.Ours(x[0]), [op.Input(shape)], op.Atol, op.Rtol));
            cases.Add(new OpCase(Expr("x0.t()"), x => op.Ours(x[0].T), [op.Input([3, 5])], op.Atol, op.Rtol));
            cases.Add(new OpCase(Expr("x0.narrow(1, 1, 3)"), x => op.Ours(x[0].Narrow(1, 1, 3)), [op.Input([2, 5])], op.Atol, op.Rtol));
            cases.Add(new OpCase(Expr("x0.expand(2, 3, 4)"), x => op.Ours(x[0].Expand(2, 3, 4)), [op.Input([3, 1])], op.Atol, op.Rtol));
            cases.Add(new OpCase(Expr("x0.permute(2, 0, 1)"), x => op.Ours(x[0].Permute(2, 0, 1)), [op.Input([2, 3, 4])], op.Atol, op.Rtol));
        }
        Against([.. cases]);
    }

    static Func<int[], OracleInput> Symmetric(float scale) => shape => Rand(shape, scale);

    static Func<int[], OracleInput> Between(float low, float high) => shape => Uniform(shape, low, high);

    [Fact]
    public void ExpLogSqrt_MatchTorch()
    {
        CheckShapesAndViews(
            new Unary("torch.exp({x})", t => t.Exp(), Symmetric(3f)),
            new Unary("torch.log({x})", t => t.Log(), Between(0.05f, 20f)),
            new Unary("torch.sqrt({x})", t => t.Sqrt(), Between(0.05f, 20f)));
    }

    [Fact]
    public void ExpLogSqrt_LargeRanges_MatchTorch()
    {
        Against(
            new OpCase("torch.exp(x0)", x => x[0].Exp(), [Rand([64], 30f)], Atol, Rtol),
            new OpCase("torch.exp(x0)", x => x[0].Exp(), [Between(-80f, -60f)([16])], 1e-30f, Rtol),
            new OpCase("torch.log(x0)", x => x[0].Log(), [Between(1e-6f, 1e-3f)([16])], Atol, Rtol),
            new OpCase("torch.log(x0)", x => x[0].Log(), [Between(1e4f, 1e8f)([16])], Atol, Rtol),
            new OpCase("torch.sqrt(x0)", x => x[0].Sqrt(), [Between(1e-8f, 1e-4f)([16])], Atol, Rtol),
            new OpCase("torch.sqrt(x0)", x => x[0].Sqrt(), [Between(1e4f, 1e8f)([16])], Atol, Rtol));
    }

    [Fact]
    public void SigmoidTanh_MatchTorch()
    {
        CheckShapesAndViews(
            new Unary("torch.sigmoid({x})", t => t.Sigmoid(), Symmetric(4f)),
            new Unary("torch.tanh({x})", t => t.Tanh(), Symmetric(3f)));
    }

    [Fact]
    public void SigmoidTanh_Saturated_MatchTorch()
    {
        Against(
            new OpCase("torch.sigmoid(x0)", x => x[0].Sigmoid(), [Rand([64], 30f)], Atol, Rtol),
            new OpCase("torch.tanh(x0)", x => x[0].Tanh(), [Rand([64], 30f)], Atol, Rtol),
            new OpCase("torch.sigmoid(x0)", x => x[0].Sigmoid(), [Between(-100f, -20f)([16])], 1e-12f, 1e-4f),
            new OpCase("torch.sigmoid(x0)", x => x[0].Sigmoid(), [new OracleInput([-1000f, -89f, 89f, 1000f], [4])], Atol, Rtol),
            new OpCase("torch.tanh(x0)", x => x[0].Tanh(), [new OracleInput([-1000f, -20f, -1e-4f, 1e-4f, 20f, 1000f], [6])], Atol, Rtol));
    }

    [Fact]
    public void ReluSiluGelu_MatchTorch()
    {
        CheckShapesAndViews(
            new Unary("torch.relu({x})", t => t.Relu(), Symmetric(3f)),
            new Unary("F.silu({x})", t => t.Silu(), Symmetric(6f)),
            new Unary("F.gelu({x})", t => t.Gelu(), Symmetric(5f)),
            new Unary("F.gelu({x}, approximate='tanh')", t => t.Gelu(tanhApproximation: true), Symmetric(5f)));
    }

    [Fact]
    public void ReluSiluGelu_LargeInputs_MatchTorch()
    {
        var wide = Rand([64], 30f);
        var edges = new OracleInput([-1000f, -60f, -12f, -1e-3f, 1e-3f, 12f, 60f, 1000f], [8]);
        Against(
            new OpCase("torch.relu(x0)", x => x[0].Relu(), [wide], Atol, Rtol),
            new OpCase("F.silu(x0)", x => x[0].Silu(), [wide], Atol, Rtol),
            new OpCase("F.silu(x0)", x => x[0].Silu(), [edges], Atol, Rtol),
            new OpCase("F.gelu(x0)", x => x[0].Gelu(), [wide], Atol, Rtol),
            new OpCase("F.gelu(x0)", x => x[0].Gelu(), [edges], Atol, Rtol),
            new OpCase("F.gelu(x0, approximate='tanh')", x => x[0].Gelu(tanhApproximation: true), [wide], Atol, Rtol),
            new OpCase("F.gelu(x0, approximate='tanh')", x => x[0].Gelu(tanhApproximation: true), [edges], Atol, Rtol));
    }

    [Fact]
    public void Softplus_MatchesTorch()
    {
        CheckShapesAndViews(new Unary("F.softplus({x})", t => t.Softplus(), Symmetric(6f)));
    }

    [Fact]
    public void Softplus_LargeAndTinyOutputs_MatchTorch()
    {
        // Torch returns x itself above its threshold 20, where log(1 + exp(-x)) is below float precision anyway; far below
        // 0 the output is exp(x), compared with an absolute tolerance under its own size.
        var edges = new OracleInput([-1000f, -89f, -40f, -20f, -1e-4f, 0f, 1e-4f, 19.5f, 20.5f, 60f, 1000f], [11]);
        Against(
            new OpCase("F.softplus(x0)", x => x[0].Softplus(), [Rand([64], 30f)], Atol, Rtol),
            new OpCase("F.softplus(x0)", x => x[0].Softplus(), [edges], Atol, Rtol),
            new OpCase("F.softplus(x0)", x => x[0].Softplus(), [Between(-60f, -30f)([16])], 1e-30f, Rtol));
    }

    [Fact]
    public void Relu_GradientAtZeroIsZero_AsInTorch()
    {
        Against(new OpCase("torch.relu(x0)", x => x[0].Relu(), [new OracleInput([-1f, 0f, 2f], [3])], Atol, Rtol));
    }

    [Fact]
    public void NaNInputs_PropagateLikeTorch()
    {
        var withNaN = new OracleInput([float.NaN, 1f, -1f], [3]);
        Against(
            new OpCase("torch.relu(x0)", x => x[0].Relu(), [withNaN], Atol, Rtol),
            new OpCase("torch.abs(x0)", x => x[0].Abs(), [withNaN], Atol, Rtol),
            new OpCase("torch.clamp(x0, -0.5, 0.5)", x => x[0].Clamp(-0.5f, 0.5f), [withNaN], Atol, Rtol),
            new OpCase("torch.exp(x0)", x => x[0].Exp(), [withNaN], Atol, Rtol),
            new OpCase("torch.tanh(x0)", x => x[0].Tanh(), [withNaN], Atol, Rtol));
    }

    [Fact]
    public void PowAbsClampSquare_MatchTorch()
    {
        CheckShapesAndViews(
            new Unary("torch.pow({x}, 2.0)", t => t.Pow(2f), Symmetric(3f)),
            new Unary("torch.pow({x}, 3.0)", t => t.Pow(3f), Symmetric(3f)),
            new Unary("torch.pow({x}, 0.5)", t => t.Pow(0.5f), Between(0.05f, 10f)),
            new Unary("torch.pow({x}, -1.5)", t => t.Pow(-1.5f), Between(0.2f, 5f)),
            new Unary("torch.pow({x}, -2.0)", t => t.Pow(-2f), Symmetric(3f)),
            new Unary("torch.abs({x})", t => t.Abs(), Symmetric(3f)),
            new Unary("torch.clamp({x}, -0.5, 0.75)", t => t.Clamp(-0.5f, 0.75f), Symmetric(2f)),
            new Unary("torch.square({x})", t => t.Square(), Symmetric(3f)));
    }

    [Fact]
    public void PowAbsClamp_AtKinks_MatchTorch()
    {
        var kinks = new OracleInput([-2f, -1f, -0.5f, 0f, 0.5f, 1f, 2f], [7]);
        Against(
            new OpCase("torch.abs(x0)", x => x[0].Abs(), [kinks], Atol, Rtol),
            new OpCase("torch.clamp(x0, -1.0, 1.0)", x => x[0].Clamp(-1f, 1f), [kinks], Atol, Rtol),
            new OpCase("torch.clamp(x0, 0.5, 0.5)", x => x[0].Clamp(0.5f, 0.5f), [kinks], Atol, Rtol),
            new OpCase("torch.pow(x0, 2.0)", x => x[0].Pow(2f), [kinks], Atol, Rtol),
            new OpCase("torch.pow(x0, 1.0)", x => x[0].Pow(1f), [kinks], Atol, Rtol),
            new OpCase("torch.pow(x0, 0.0)", x => x[0].Pow(0f), [kinks], Atol, Rtol),
            new OpCase("torch.pow(x0, 3.0)", x => x[0].Pow(3f), [kinks], Atol, Rtol),
            new OpCase("torch.square(x0)", x => x[0].Square(), [kinks], Atol, Rtol));
    }

    [Fact]
    public void Pow_LargeMagnitudes_MatchTorch()
    {
        Against(
            new OpCase("torch.pow(x0, 2.0)", x => x[0].Pow(2f), [Rand([32], 30f)], Atol, Rtol),
            new OpCase("torch.pow(x0, 3.0)", x => x[0].Pow(3f), [Rand([32], 30f)], Atol, Rtol),
            new OpCase("torch.abs(x0)", x => x[0].Abs(), [Rand([32], 30f)], Atol, Rtol),
            new OpCase("torch.clamp(x0, -10.0, 10.0)", x => x[0].Clamp(-10f, 10f), [Rand([32], 30f)], Atol, Rtol));
    }

    [Fact]
    public void Composite_ChainOfUnaryOps_MatchesTorch()
    {
        Against(
            new OpCase("torch.tanh(torch.exp(x0.t()) * x1).sqrt()", x => (x[0].T.Exp() * x[1]).Tanh().Sqrt(), [Rand([3, 2]), Between(0.1f, 1f)([2, 3])], Atol, Rtol),
            new OpCase("torch.log(torch.sigmoid(x0)) + F.silu(x0) * F.gelu(x0)", x => x[0].Sigmoid().Log() + x[0].Silu() * x[0].Gelu(), [Rand([4, 3], 4f)], Atol, Rtol),
            new OpCase("torch.clamp(torch.abs(x0).pow(1.5), 0.1, 2.0).relu()", x => x[0].Abs().Pow(1.5f).Clamp(0.1f, 2f).Relu(), [Rand([10], 2f)], Atol, Rtol));
    }

    [Fact]
    public void Clamp_WithMinAboveMax_FollowsTorch()
    {
        Against(new OpCase("torch.clamp(x0, 1.0, -1.0)", x => x[0].Clamp(1f, -1f), [Rand([5])], Atol, Rtol));
    }
}
