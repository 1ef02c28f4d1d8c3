using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Sums accumulate in float32 against torch in float64: for up to a few hundred terms in [-1, 1) the
// error stays well under atol 1e-5 and rtol 1e-5. Max/min copy values, so they are exact.
public class ReduceTests
{
    const float Atol = 1e-5f;
    const float Rtol = 1e-5f;

    static OpCase Case(string expr, Func<Tensor[], Tensor> ours, params OracleInput[] inputs) => new(expr, ours, inputs, Atol, Rtol);

    [Fact]
    public void Sum_OneDim_KeepDimOrNot_MatchesTorch()
    {
        Against(
            Case("x0.sum(0)", x => x[0].Sum(0), Rand([3, 4])),
            Case("x0.sum(1)", x => x[0].Sum(1), Rand([3, 4])),
            Case("x0.sum(-1, keepdim=True)", x => x[0].Sum(-1, keepDim: true), Rand([2, 3, 4])),
            Case("x0.sum(1, keepdim=True)", x => x[0].Sum(1, keepDim: true), Rand([2, 3, 4])),
            Case("x0.sum(0)", x => x[0].Sum(0), Rand([7])),
            Case("x0.sum(1)", x => x[0].Sum(1), Rand([4, 1, 2])),
            Case("x0.sum(0)", x => x[0].Sum(0), Rand([1, 5])),
            Case("x0.sum(0)", x => x[0].Sum(0), Rand([0, 3])),
            Case("x0.sum(1)", x => x[0].Sum(1), Rand([0, 3])),
            Case("x0.sum(1)", x => x[0].Sum(1), Rand([2, 300])),
            Case("x0.sum(0)", x => x[0].Sum(0), Rand([300, 3])));
    }

    [Fact]
    public void Sum_SeveralDimsAndAll_MatchesTorch()
    {
        Against(
            Case("x0.sum((0, 2))", x => x[0].Sum([0, 2]), Rand([2, 3, 4])),
            Case("x0.sum((0, 2), keepdim=True)", x => x[0].Sum([0, 2], keepDim: true), Rand([2, 3, 4])),
            Case("x0.sum((-1, 0))", x => x[0].Sum([-1, 0]), Rand([2, 3, 4])),
            Case("x0.sum((1, 2, 3))", x => x[0].Sum([1, 2, 3]), Rand([2, 3, 1, 4])),
            Case("x0.sum((0, 1, 2), keepdim=True)", x => x[0].Sum([0, 1, 2], keepDim: true), Rand([2, 3, 4])),
            Case("x0.sum()", x => x[0].Sum(), Rand([2, 3, 4])),
            Case("x0.sum()", x => x[0].Sum(), Rand([])),
            Case("x0.sum()", x => x[0].Sum(), Rand([0, 4])),
            Case("x0.sum()", x => x[0].Sum(), Rand([1000])));
    }

    [Fact]
    public void Mean_OneSeveralAndAllDims_MatchesTorch()
    {
        Against(
            Case("x0.mean(0)", x => x[0].Mean(0), Rand([3, 4])),
            Case("x0.mean(-1, keepdim=True)", x => x[0].Mean(-1, keepDim: true), Rand([2, 3, 4])),
            Case("x0.mean((0, 2))", x => x[0].Mean([0, 2]), Rand([2, 3, 4])),
            Case("x0.mean((1, 2), keepdim=True)", x => x[0].Mean([1, 2], keepDim: true), Rand([2, 3, 4])),
            Case("x0.mean()", x => x[0].Mean(), Rand([2, 3, 4])),
            Case("x0.mean()", x => x[0].Mean(), Rand([])),
            Case("x0.mean(1)", x => x[0].Mean(1), Rand([5, 1])));
    }

    [Fact]
    public void Mean_OverNoElements_IsNaN_AsInTorch()
    {
        Against(
            Case("x0.mean()", x => x[0].Mean(), Rand([0, 3])),
            Case("x0.mean(0)", x => x[0].Mean(0), Rand([0, 3])),
            Case("x0.mean((0, 1))", x => x[0].Mean([0, 1]), Rand([3, 0])));
    }

    [Fact]
    public void SumAndMean_OnNonContiguousInput_MatchTorch()
    {
        Against(
            Case("x0.t().sum(0)", x => x[0].T.Sum(0), Rand([3, 4])),
            Case("x0.t().sum(1, keepdim=True)", x => x[0].T.Sum(1, keepDim: true), Rand([3, 4])),
            Case("x0.permute(2, 0, 1).sum((0, 2))", x => x[0].Permute(2, 0, 1).Sum([0, 2]), Rand([2, 3, 4])),
            Case("x0.narrow(1, 1, 2).mean(1)", x => x[0].Narrow(1, 1, 2).Mean(1), Rand([3, 4])),
            Case("x0.expand(3, 4).sum(0)", x => x[0].Expand(3, 4).Sum(0), Rand([1, 4])),
            Case("x0.expand(2, 3, 4).mean()", x => x[0].Expand(2, 3, 4).Mean(), Rand([3, 1])),
            Case("x0.t().sum()", x => x[0].T.Sum(), Rand([3, 4])));
    }

    [Fact]
    public void MaxMin_Values_GradientGoesToTheExtremum()
    {
        Against(
            Case("x0.max(1).values", x => x[0].Max(1), Rand([3, 5])),
            Case("x0.max(0, keepdim=True).values", x => x[0].Max(0, keepDim: true), Rand([3, 5])),
            Case("x0.max(1).values", x => x[0].Max(1), Rand([2, 4, 3])),
            Case("x0.min(-1).values", x => x[0].Min(-1), Rand([2, 3, 4])),
            Case("x0.min(1, keepdim=True).values", x => x[0].Min(1, keepDim: true), Rand([2, 4, 3])),
            Case("x0.max()", x => x[0].Max(), Rand([3, 4])),
            Case("x0.min()", x => x[0].Min(), Rand([2, 3, 4])),
            Case("x0.max(0).values", x => x[0].Max(0), Rand([1, 4])),
            Case("x0.min(0).values", x => x[0].Min(0), Rand([6])),
            Case("x0.max()", x => x[0].Max(), Rand([])));
    }

    [Fact]
    public void MaxMin_OnNonContiguousInput_MatchTorch()
    {
        Against(
            Case("x0.t().max(1).values", x => x[0].T.Max(1), Rand([4, 3])),
            Case("x0.permute(2, 0, 1).min(1).values", x => x[0].Permute(2, 0, 1).Min(1), Rand([2, 3, 4])),
            Case("x0.narrow(1, 1, 3).max(1, keepdim=True).values", x => x[0].Narrow(1, 1, 3).Max(1, keepDim: true), Rand([3, 5])),
            Case("x0.t().min()", x => x[0].T.Min(), Rand([3, 4])));
    }

    [Fact]
    public void ArgMaxArgMin_MatchTorch()
    {
        static OracleInput NoGrad(int[] shape) => Rand(shape, grad: false);
        Against(
            Case("torch.argmax(x0, 1)", x => x[0].ArgMax(1), NoGrad([3, 5])),
            Case("torch.argmax(x0, 0, keepdim=True)", x => x[0].ArgMax(0, keepDim: true), NoGrad([3, 5])),
            Case("torch.argmin(x0, -1)", x => x[0].ArgMin(-1), NoGrad([2, 3, 4])),
            Case("torch.argmin(x0, 1, keepdim=True)", x => x[0].ArgMin(1, keepDim: true), NoGrad([2, 4, 3])),
            Case("torch.argmax(x0.t(), 0)", x => x[0].T.ArgMax(0), NoGrad([4, 3])),
            Case("torch.argmin(x0.permute(1, 0, 2), 2)", x => x[0].Permute(1, 0, 2).ArgMin(2), NoGrad([2, 3, 4])),
            Case("torch.argmax(x0, 0)", x => x[0].ArgMax(0), NoGrad([1, 3])));
    }

    [Fact]
    public void ArgMax_PicksTheFirstOfTiesAndPropagatesNaN()
    {
        var t = Tensor.FromArray([1f, 3f, 3f, 0f, float.NaN, 2f, 5f, 5f, 5f], 3, 3);
        Assert.Equal([1f, 1f, 0f], t.ArgMax(1).ToArray());
        Assert.Equal([0f, 1f, 0f], t.ArgMin(1).ToArray());
        Assert.False(t.ArgMax(1).RequiresGrad);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).ArgMax(1));
    }

    [Fact]
    public void Reduce_RepeatedDim_Throws_AsInTorch()
    {
        var sum = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Sum([0, 0]));
        Assert.Contains("(0, 0)", sum.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Mean([1, -1]));
    }

    [Fact]
    public void Reduce_DimOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Sum(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Mean(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Max(5));
    }
}
