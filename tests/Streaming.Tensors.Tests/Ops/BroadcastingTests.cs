using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Binary ops on broadcast and strided operands, which take the row-by-row path of the broadcasting
// kernel rather than the whole-buffer one. One float32 rounding per element: atol 1e-6, rtol 1e-5.
public class BroadcastingTests
{
    const float Atol = 1e-6f;
    const float Rtol = 1e-5f;

    static OpCase Case(string expr, Func<Tensor[], Tensor> ours, params OracleInput[] inputs) => new(expr, ours, inputs, Atol, Rtol);

    [Fact]
    public void Binary_BothOperandsBroadcastAlongTheInnerDim_MatchesTorch()
    {
        Against(
            Case("x0.expand(3, 4) + x1", x => x[0].Expand(3, 4) + x[1], Rand([3, 1]), Rand([3, 1])),
            Case("x0.expand(3, 4) * x1.expand(3, 4)", x => x[0].Expand(3, 4) * x[1].Expand(3, 4), Rand([3, 1]), Rand([1, 4])),
            Case("x0.expand(2, 3, 5) - x1", x => x[0].Expand(2, 3, 5) - x[1], Rand([2, 3, 1]), Rand([1])),
            Case("x0.expand(2, 5) / x1", x => x[0].Expand(2, 5) / x[1], Rand([2, 1]), Uniform([2, 1], 1f, 2f)));
    }

    [Fact]
    public void Binary_StridedInnerDims_MatchTorch()
    {
        Against(
            Case("x0.t() * x1.t()", x => x[0].T * x[1].T, Rand([5, 3]), Rand([5, 3])),
            Case("x0.t() - x1", x => x[0].T - x[1], Rand([6, 2]), Rand([1, 6])),
            Case("x0 / x1.t()", x => x[0] / x[1].T, Rand([1, 4]), Uniform([4, 3], 1f, 3f)),
            Case("x0.narrow(1, 1, 3) + x1.narrow(0, 2, 3)", x => x[0].Narrow(1, 1, 3) + x[1].Narrow(0, 2, 3), Rand([2, 5]), Rand([6])),
            Case("x0.permute(1, 0, 2) * x1", x => x[0].Permute(1, 0, 2) * x[1], Rand([2, 3, 4]), Rand([3, 1, 4])),
            Case("x0.select(1, 1) + x1.t()", x => x[0].Select(1, 1) + x[1].T, Rand([3, 2, 4]), Rand([4, 3])),
            Case("x0.t() * x0", x => x[0].T * x[0], Rand([3, 3])));
    }

    [Fact]
    public void Binary_EmptyAndScalarShapes_MatchTorch()
    {
        Against(
            Case("x0 + x1", x => x[0] + x[1], Rand([0, 3]), Rand([3])),
            Case("x0 * x1", x => x[0] * x[1], Rand([2, 0]), Rand([2, 1])),
            Case("x0 * x1", x => x[0] * x[1], Rand([]), Rand([])),
            Case("x0 / x1", x => x[0] / x[1], Rand([3, 1, 1]), Uniform([], 1f, 2f)),
            Case("(x0 * 2.0 + 1.0) / 4.0 - 3.0", x => (x[0] * 2f + 1f) / 4f - 3f, Rand([0, 3])));
    }

    [Fact]
    public void Binary_InputWithoutGrad_OnlyOtherGetsGradient()
    {
        Against(
            Case("x0 * x1", x => x[0] * x[1], Rand([3, 4]), Rand([4], grad: false)),
            Case("x0 / x1", x => x[0] / x[1], Rand([2, 3], grad: false), Uniform([2, 3], 1f, 2f)),
            Case("x0 - x1", x => x[0] - x[1], Rand([2, 3], grad: false), Rand([2, 1])));
    }

    [Fact]
    public void Binary_SameTensorOnBothSides_AccumulatesBothGradients()
    {
        Against(
            Case("x0 * x0", x => x[0] * x[0], Rand([4])),
            Case("x0 / x0.t()", x => x[0] / x[0].T, Uniform([3, 3], 1f, 2f)),
            Case("x0 - x0.t()", x => x[0] - x[0].T, Rand([2, 2])));
    }

    [Fact]
    public void Binary_NonBroadcastableShapes_NameOpAndBothShapes()
    {
        foreach (var (op, f) in new (string, Func<Tensor, Tensor, Tensor>)[] { ("add", (a, b) => a + b), ("sub", (a, b) => a - b), ("mul", (a, b) => a * b), ("div", (a, b) => a / b) })
        {
            var ex = Assert.Throws<ArgumentException>(() => f(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 5)));
            Assert.Contains(op, ex.Message);
            Assert.Contains("(2, 3, 4)", ex.Message);
            Assert.Contains("(3, 5)", ex.Message);
        }
    }
}
