using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class ArithmeticTests
{
    [Fact]
    public void Arithmetic_MatchesTorch_SameShapeAndBroadcast()
    {
        Against(
            new OpCase("x0 + x1", x => x[0] + x[1], [Rand([3, 4]), Rand([3, 4])]),
            new OpCase("x0 - x1", x => x[0] - x[1], [Rand([2, 3, 4]), Rand([4])]),
            new OpCase("x0 * x1", x => x[0] * x[1], [Rand([2, 1, 4]), Rand([3, 1])]),
            new OpCase("x0 / x1", x => x[0] / x[1], [Rand([5, 3]), Uniform([5, 1], 0.5f, 2f)]),
            new OpCase("x0 * x1", x => x[0] * x[1], [Rand([1]), Rand([7])]),
            new OpCase("x0 + x1", x => x[0] + x[1], [Rand([]), Rand([2, 2])]),
            new OpCase("x0 * 2.5 - 1.0", x => x[0] * 2.5f - 1f, [Rand([4, 4])]),
            new OpCase("3.0 - x0 / 4.0", x => 3f - x[0] / 4f, [Rand([4, 1, 2])]),
            new OpCase("-x0", x => -x[0], [Rand([6])]));
    }

    [Fact]
    public void Arithmetic_OnNonContiguousViews_MatchesTorch()
    {
        Against(
            new OpCase("x0.t() + x1", x => x[0].T + x[1], [Rand([4, 3]), Rand([3, 4])]),
            new OpCase("x0.permute(2, 0, 1) * x1", x => x[0].Permute(2, 0, 1) * x[1], [Rand([2, 3, 4]), Rand([4, 1, 3])]),
            new OpCase("x0.narrow(1, 1, 2) / x1.t()", x => x[0].Narrow(1, 1, 2) / x[1].T, [Rand([3, 4]), Uniform([2, 3], 1f, 2f)]));
    }

    [Fact]
    public void Arithmetic_ShapeMismatch_NamesOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4, 3));
        Assert.Contains("add", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(4, 3)", ex.Message);
    }
}
