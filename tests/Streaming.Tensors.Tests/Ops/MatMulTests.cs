using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Dot products of a few to a few dozen float32 terms in [-1, 1) against torch in float64:
// atol 1e-5, rtol 1e-4 (gradients, themselves products, 1e-4 and 1e-3).
public class MatMulTests
{
    const float Atol = 1e-5f;
    const float Rtol = 1e-4f;

    static OpCase Case(string expr, Func<Tensor[], Tensor> ours, params OracleInput[] inputs) => new(expr, ours, inputs, Atol, Rtol);

    [Fact]
    public void MatMul_2DAndBatched_MatchesTorch()
    {
        Against(
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 4]), Rand([4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 3, 4]), Rand([2, 4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 2, 3, 4]), Rand([2, 2, 4, 2])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([17, 33]), Rand([33, 9])));
    }

    [Fact]
    public void MatMul_BroadcastBatchDims_SumsGradientsOverTheBroadcast()
    {
        Against(
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 1, 3, 4]), Rand([5, 4, 6])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 4]), Rand([2, 4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 3, 4]), Rand([4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([1, 3, 4]), Rand([3, 4, 2])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 1, 2, 4]), Rand([1, 2, 4, 3])));
    }

    [Fact]
    public void MatMul_OneDimensionalOperands_MatchTorch()
    {
        Against(
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([4]), Rand([4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 4]), Rand([4])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([4]), Rand([4])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 3, 4]), Rand([4])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([4]), Rand([2, 4, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([1]), Rand([1])));
    }

    [Fact]
    public void MatMul_TransposedAndStridedViews_MatchTorch()
    {
        Against(
            Case("x0.t() @ x1", x => x[0].T.MatMul(x[1]), Rand([4, 3]), Rand([4, 5])),
            Case("x0 @ x1.t()", x => x[0].MatMul(x[1].T), Rand([3, 4]), Rand([5, 4])),
            Case("x0.t() @ x1.t()", x => x[0].T.MatMul(x[1].T), Rand([4, 3]), Rand([5, 4])),
            Case("x0.transpose(-1, -2) @ x1.transpose(-1, -2)", x => x[0].Transpose(-1, -2).MatMul(x[1].Transpose(-1, -2)), Rand([2, 4, 3]), Rand([2, 5, 4])),
            Case("x0.permute(1, 0, 2) @ x1", x => x[0].Permute(1, 0, 2).MatMul(x[1]), Rand([3, 2, 4]), Rand([2, 4, 5])),
            Case("x0.narrow(1, 1, 4) @ x1.narrow(0, 2, 4)", x => x[0].Narrow(1, 1, 4).MatMul(x[1].Narrow(0, 2, 4)), Rand([3, 6]), Rand([7, 2])),
            Case("x0.t().narrow(0, 1, 2) @ x1", x => x[0].T.Narrow(0, 1, 2).MatMul(x[1]), Rand([4, 3]), Rand([4, 5])),
            Case("x0.expand(3, 4) @ x1", x => x[0].Expand(3, 4).MatMul(x[1]), Rand([1, 4]), Rand([4, 2])),
            Case("x0 @ x1.expand(4, 3)", x => x[0].MatMul(x[1].Expand(4, 3)), Rand([2, 4]), Rand([4, 1])),
            Case("x0.expand(2, 3, 4) @ x1.t()", x => x[0].Expand(2, 3, 4).MatMul(x[1].T), Rand([3, 4]), Rand([5, 4])),
            Case("x0[:, ::2] @ x1", x => x[0].Reshape(3, 4, 2).Select(2, 0).MatMul(x[1]), Rand([3, 8]), Rand([4, 2])),
            Case("x0 @ x0.t()", x => x[0].MatMul(x[0].T), Rand([3, 4])));
    }

    [Fact]
    public void MatMul_SizeOneAndEmptyDims_MatchTorch()
    {
        Against(
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([1, 4]), Rand([4, 1])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 1]), Rand([1, 5])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([1, 1]), Rand([1, 1])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([1, 1, 3]), Rand([2, 3, 1])),
            Case("x0.t() @ x1.t()", x => x[0].T.MatMul(x[1].T), Rand([1, 3]), Rand([1, 1])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 0]), Rand([0, 4])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([0, 3]), Rand([3, 4])),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([0, 2, 3]), Rand([3, 4])));
    }

    [Fact]
    public void MatMul_OneOperandWithoutGrad_MatchesTorch()
    {
        Against(
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([2, 3, 4]), Rand([4, 5], grad: false)),
            Case("x0 @ x1", x => x[0].MatMul(x[1]), Rand([3, 4], grad: false), Rand([2, 4, 5])));
    }

    [Fact]
    public void MatMul_Mismatch_NamesOpAndBothShapes()
    {
        var inner = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 5)));
        Assert.Contains("matmul", inner.Message);
        Assert.Contains("(2, 3)", inner.Message);
        Assert.Contains("(4, 5)", inner.Message);
        var batch = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3, 4).MatMul(Tensor.Zeros(3, 4, 5)));
        Assert.Contains("matmul", batch.Message);
        Assert.Contains("(2)", batch.Message);
        Assert.Contains("(3)", batch.Message);
        var vector = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).MatMul(Tensor.Zeros(4)));
        Assert.Contains("matmul", vector.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).MatMul(Tensor.Zeros(1)));
    }

    [Fact]
    public void Linear_WithAndWithoutBias_2DAnd3D_MatchesTorch()
    {
        Against(
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([4, 3]), Rand([5, 3]), Rand([5])),
            Case("F.linear(x0, x1)", x => Tensor.Linear(x[0], x[1]), Rand([4, 3]), Rand([5, 3])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([2, 3, 6]), Rand([4, 6]), Rand([4])),
            Case("F.linear(x0, x1)", x => Tensor.Linear(x[0], x[1]), Rand([2, 3, 6]), Rand([4, 6])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([6]), Rand([4, 6]), Rand([4])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([1, 1]), Rand([1, 1]), Rand([1])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([0, 3]), Rand([2, 3]), Rand([2])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([5, 0]), Rand([3, 0]), Rand([3])));
    }

    [Fact]
    public void Linear_OnViewsAndPartialGrads_MatchesTorch()
    {
        Against(
            Case("F.linear(x0.t(), x1, x2)", x => Tensor.Linear(x[0].T, x[1], x[2]), Rand([3, 4]), Rand([5, 3]), Rand([5])),
            Case("F.linear(x0, x1.t())", x => Tensor.Linear(x[0], x[1].T), Rand([2, 3, 4]), Rand([4, 6])),
            Case("F.linear(x0.permute(1, 0, 2), x1.narrow(0, 1, 2), x2.narrow(0, 1, 2))",
                x => Tensor.Linear(x[0].Permute(1, 0, 2), x[1].Narrow(0, 1, 2), x[2].Narrow(0, 1, 2)), Rand([3, 2, 4]), Rand([4, 4]), Rand([4])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([2, 3], grad: false), Rand([4, 3]), Rand([4])),
            Case("F.linear(x0, x1, x2)", x => Tensor.Linear(x[0], x[1], x[2]), Rand([2, 3]), Rand([4, 3], grad: false), Rand([4], grad: false)),
            Case("F.linear(x0, x1, x2.expand(4))", x => Tensor.Linear(x[0], x[1], x[2].Expand(4)), Rand([2, 3]), Rand([4, 3]), Rand([1])));
    }

    [Fact]
    public void Linear_Mismatch_NamesOpAndBothShapes()
    {
        var input = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("linear", input.Message);
        Assert.Contains("(2, 3)", input.Message);
        Assert.Contains("(4, 5)", input.Message);
        var bias = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 3), Tensor.Zeros(5)));
        Assert.Contains("linear", bias.Message);
        Assert.Contains("(5)", bias.Message);
        Assert.Contains("(4, 3)", bias.Message);
        var weight = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(3)));
        Assert.Contains("linear", weight.Message);
        Assert.Contains("(3)", weight.Message);
        var scalar = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Scalar(1f), Tensor.Zeros(1, 1)));
        Assert.Contains("linear", scalar.Message);
    }
}
