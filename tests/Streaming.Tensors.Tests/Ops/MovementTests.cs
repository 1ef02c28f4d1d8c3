using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Movement ops are exact copies of values, so forward and gradients must match to rounding of the
// random output gradient: atol 1e-6, rtol 1e-6 (gradients: 1e-5 after OpCheck's factor 10).
public class MovementTests
{
    const float Atol = 1e-6f;
    const float Rtol = 1e-6f;

    static OpCase Case(string expr, Func<Tensor[], Tensor> ours, params OracleInput[] inputs) => new(expr, ours, inputs, Atol, Rtol);

    [Fact]
    public void Reshape_ContiguousAndInferred_MatchesTorch()
    {
        Against(
            Case("x0.reshape(4, 6)", x => x[0].Reshape(4, 6), Rand([2, 3, 4])),
            Case("x0.reshape(-1)", x => x[0].Reshape(-1), Rand([2, 3, 4])),
            Case("x0.reshape(2, -1, 2)", x => x[0].Reshape(2, -1, 2), Rand([6, 4])),
            Case("x0.reshape(1, 5, 1)", x => x[0].Reshape(1, 5, 1), Rand([5])),
            Case("x0.reshape(())", x => x[0].Reshape(), Rand([1, 1])),
            Case("x0.reshape(-1, 1)", x => x[0].Reshape(-1, 1), Rand([])),
            Case("x0.reshape(0, 3)", x => x[0].Reshape(0, 3), Rand([3, 0])));
    }

    [Fact]
    public void Reshape_NonContiguous_CopiesAndMatchesTorch()
    {
        Against(
            Case("x0.t().reshape(-1)", x => x[0].T.Reshape(-1), Rand([3, 4])),
            Case("x0.permute(2, 0, 1).reshape(4, -1)", x => x[0].Permute(2, 0, 1).Reshape(4, -1), Rand([2, 3, 4])),
            Case("x0.narrow(1, 1, 2).reshape(-1, 3)", x => x[0].Narrow(1, 1, 2).Reshape(-1, 3), Rand([3, 4, 3])),
            Case("x0.expand(3, 4).reshape(2, 6)", x => x[0].Expand(3, 4).Reshape(2, 6), Rand([3, 1])));

        var source = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4);
        var reshaped = source.T.Reshape(-1);
        Assert.NotSame(source.Data, reshaped.Data);
        Assert.True(reshaped.IsContiguous);
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], reshaped.ToArray());

        var view = source.Reshape(6, 2);
        Assert.Same(source.Data, view.Data);
    }

    [Fact]
    public void Reshape_Invalid_NamesOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Contains("reshape", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(4, 2)", ex.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(-1, 4));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(-1, -1));
    }

    [Fact]
    public void PermuteAndTranspose_MatchTorch()
    {
        Against(
            Case("x0.permute(2, 0, 1)", x => x[0].Permute(2, 0, 1), Rand([2, 3, 4])),
            Case("x0.permute(1, 3, 0, 2)", x => x[0].Permute(1, 3, 0, 2), Rand([2, 1, 3, 4])),
            Case("x0.permute(-1, 0, -2)", x => x[0].Permute(-1, 0, -2), Rand([2, 3, 4])),
            Case("x0.transpose(0, 2)", x => x[0].Transpose(0, 2), Rand([2, 3, 4])),
            Case("x0.transpose(-1, -2)", x => x[0].Transpose(-1, -2), Rand([2, 3, 4])),
            Case("x0.t()", x => x[0].T, Rand([5, 1])),
            Case("x0.permute(1, 0).permute(1, 0)", x => x[0].Permute(1, 0).Permute(1, 0), Rand([3, 2])),
            Case("x0.permute(1, 2, 0).transpose(0, 1) * 2", x => x[0].Permute(1, 2, 0).Transpose(0, 1) * 2f, Rand([2, 3, 4])));
    }

    [Fact]
    public void Permute_Invalid_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Permute(0, 0));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Permute(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Permute(0, 2));
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 3, 4).T);
    }

    [Fact]
    public void NarrowAndSelect_MatchTorch()
    {
        Against(
            Case("x0.narrow(0, 1, 2)", x => x[0].Narrow(0, 1, 2), Rand([4, 3])),
            Case("x0.narrow(-1, 0, 1)", x => x[0].Narrow(-1, 0, 1), Rand([2, 3, 4])),
            Case("x0.narrow(1, -2, 2)", x => x[0].Narrow(1, -2, 2), Rand([3, 5])),
            Case("x0.narrow(1, -3, 1)", x => x[0].Narrow(1, -3, 1), Rand([2, 4, 2])),
            Case("x0.narrow(0, 2, 0)", x => x[0].Narrow(0, 2, 0), Rand([3, 2])),
            Case("x0.narrow(1, 1, 2).narrow(0, 1, 1)", x => x[0].Narrow(1, 1, 2).Narrow(0, 1, 1), Rand([3, 4])),
            Case("x0.t().narrow(0, 1, 2)", x => x[0].T.Narrow(0, 1, 2), Rand([4, 3])),
            Case("x0.select(0, 1)", x => x[0].Select(0, 1), Rand([3, 4])),
            Case("x0.select(-1, -1)", x => x[0].Select(-1, -1), Rand([2, 3, 4])),
            Case("x0.select(1, 2)", x => x[0].Select(1, 2), Rand([2, 3, 4])),
            Case("x0.select(0, 0)", x => x[0].Select(0, 0), Rand([3])),
            Case("x0.t().select(1, 1)", x => x[0].T.Select(1, 1), Rand([2, 3])));
    }

    [Fact]
    public void Narrow_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Narrow(1, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Narrow(1, -5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Narrow(2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Select(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Select(0, -4));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Select(1, -6));
        Assert.Contains("select", ex.Message);
        Assert.Contains("-6", ex.Message);
        Assert.Equal(0f, Tensor.Arange(3).Select(0, -3).Item());
    }

    [Fact]
    public void SqueezeAndUnsqueeze_MatchTorch()
    {
        Against(
            Case("x0.squeeze(1)", x => x[0].Squeeze(1), Rand([3, 1, 4])),
            Case("x0.squeeze(-1)", x => x[0].Squeeze(-1), Rand([3, 1])),
            Case("x0.squeeze(0)", x => x[0].Squeeze(0), Rand([1])),
            Case("x0.unsqueeze(0)", x => x[0].Unsqueeze(0), Rand([3, 4])),
            Case("x0.unsqueeze(2)", x => x[0].Unsqueeze(2), Rand([3, 4])),
            Case("x0.unsqueeze(-1)", x => x[0].Unsqueeze(-1), Rand([3, 4])),
            Case("x0.unsqueeze(-3)", x => x[0].Unsqueeze(-3), Rand([3, 4])),
            Case("x0.unsqueeze(0)", x => x[0].Unsqueeze(0), Rand([])),
            Case("x0.t().unsqueeze(1).squeeze(1)", x => x[0].T.Unsqueeze(1).Squeeze(1), Rand([2, 3])),
            Case("x0.t().unsqueeze(1) + x1", x => x[0].T.Unsqueeze(1) + x[1], Rand([2, 3]), Rand([3, 4, 2])));
    }

    [Fact]
    public void Squeeze_NonUnitOrOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).Squeeze(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 2).Unsqueeze(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 2).Unsqueeze(-4));
    }

    [Fact]
    public void Expand_MatchesTorch_GradientSumsOverBroadcastDims()
    {
        Against(
            Case("x0.expand(3, 4)", x => x[0].Expand(3, 4), Rand([3, 1])),
            Case("x0.expand(2, 3, 4)", x => x[0].Expand(2, 3, 4), Rand([4])),
            Case("x0.expand(2, -1, 5)", x => x[0].Expand(2, -1, 5), Rand([1, 3, 1])),
            Case("x0.expand(4, 2)", x => x[0].Expand(4, 2), Rand([])),
            Case("x0.expand(3, 2)", x => x[0].Expand(3, 2), Rand([3, 2])),
            Case("x0.t().expand(2, 4, 3)", x => x[0].T.Expand(2, 4, 3), Rand([3, 4])),
            Case("x0.expand(3, 4).expand(2, 3, 4)", x => x[0].Expand(3, 4).Expand(2, 3, 4), Rand([1, 4])));
    }

    [Fact]
    public void Expand_Incompatible_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).Expand(3, 4));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).Expand(2));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Expand(-1, 2));
    }

    [Fact]
    public void Contiguous_OfViews_MatchesTorchAndCopiesOnlyWhenNeeded()
    {
        Against(
            Case("x0.t().contiguous()", x => x[0].T.Contiguous(), Rand([3, 4])),
            Case("x0.expand(2, 3).contiguous()", x => x[0].Expand(2, 3).Contiguous(), Rand([3])),
            Case("x0.permute(2, 1, 0).contiguous() * x1", x => x[0].Permute(2, 1, 0).Contiguous() * x[1], Rand([2, 3, 4]), Rand([4, 3, 2])),
            Case("x0.contiguous()", x => x[0].Contiguous(), Rand([2, 2])));

        var t = Tensor.Zeros(3, 4);
        Assert.Same(t, t.Contiguous());
        var transposed = t.T.Contiguous();
        Assert.True(transposed.IsContiguous);
        Assert.NotSame(t.Data, transposed.Data);
        Assert.True(t.Narrow(0, 1, 1).IsContiguous);
        Assert.False(t.Narrow(1, 1, 2).IsContiguous);
    }

    [Fact]
    public void Concat_SeveralDimsAndMixedContiguity_MatchesTorch()
    {
        Against(
            Case("torch.cat([x0, x1], 0)", x => Tensor.Concat([x[0], x[1]], 0), Rand([2, 3]), Rand([4, 3])),
            Case("torch.cat([x0, x1, x2], 1)", x => Tensor.Concat([x[0], x[1], x[2]], 1), Rand([2, 1]), Rand([2, 3]), Rand([2, 2])),
            Case("torch.cat([x0, x1], -1)", x => Tensor.Concat([x[0], x[1]], -1), Rand([2, 3, 4]), Rand([2, 3, 1])),
            Case("torch.cat([x0, x1], 1)", x => Tensor.Concat([x[0], x[1]], 1), Rand([2, 3, 4]), Rand([2, 2, 4])),
            Case("torch.cat([x0.t(), x1], 0)", x => Tensor.Concat([x[0].T, x[1]], 0), Rand([3, 2]), Rand([5, 3])),
            Case("torch.cat([x0.t(), x1.permute(1, 0)], 1)", x => Tensor.Concat([x[0].T, x[1].Permute(1, 0)], 1), Rand([3, 2]), Rand([4, 2])),
            Case("torch.cat([x0.narrow(1, 1, 2), x1.expand(3, 2)], 1)", x => Tensor.Concat([x[0].Narrow(1, 1, 2), x[1].Expand(3, 2)], 1), Rand([3, 4]), Rand([3, 1])),
            Case("torch.cat([x0, x0 * 2], 0)", x => Tensor.Concat([x[0], x[0] * 2f], 0), Rand([2, 2])),
            Case("torch.cat([x0, x1], 0)", x => Tensor.Concat([x[0], x[1]], 0), Rand([0, 3]), Rand([2, 3])),
            Case("torch.cat([x0], 1)", x => Tensor.Concat([x[0]], 1), Rand([2, 3])));
    }

    [Fact]
    public void Concat_WithInputWithoutGrad_GivesGradOnlyToTheOthers()
    {
        Against(Case("torch.cat([x0, x1], 1)", x => Tensor.Concat([x[0], x[1]], 1), Rand([2, 2]), Rand([2, 3], grad: false)));
    }

    [Fact]
    public void Concat_ShapeMismatch_NamesOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)], 0));
        Assert.Contains("concat", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(2, 4)", ex.Message);
        var rank = Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3, 1)], 0));
        Assert.Contains("concat", rank.Message);
        Assert.Contains("(2, 3, 1)", rank.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Concat([], 0));
    }

    [Fact]
    public void Stack_MatchesTorch()
    {
        Against(
            Case("torch.stack([x0, x1], 0)", x => Tensor.Stack([x[0], x[1]], 0), Rand([2, 3]), Rand([2, 3])),
            Case("torch.stack([x0, x1, x2], 1)", x => Tensor.Stack([x[0], x[1], x[2]], 1), Rand([2, 3]), Rand([2, 3]), Rand([2, 3])),
            Case("torch.stack([x0, x1], -1)", x => Tensor.Stack([x[0], x[1]], -1), Rand([2, 3]), Rand([2, 3])),
            Case("torch.stack([x0, x1], 2)", x => Tensor.Stack([x[0], x[1]], 2), Rand([2, 3]), Rand([2, 3])),
            Case("torch.stack([x0.t(), x1], 0)", x => Tensor.Stack([x[0].T, x[1]], 0), Rand([3, 2]), Rand([2, 3])),
            Case("torch.stack([x0, x1], 0)", x => Tensor.Stack([x[0], x[1]], 0), Rand([]), Rand([])));
    }

    [Fact]
    public void ChainsOfViews_GradientFlowsBackThroughEveryView()
    {
        Against(
            Case("x0.t().narrow(0, 1, 2).reshape(-1)", x => x[0].T.Narrow(0, 1, 2).Reshape(-1), Rand([4, 3])),
            Case("x0.permute(2, 0, 1).narrow(2, -2, 2).select(0, 1).reshape(2, 2, 1).squeeze(-1)",
                x => x[0].Permute(2, 0, 1).Narrow(2, -2, 2).Select(0, 1).Reshape(2, 2, 1).Squeeze(-1), Rand([2, 3, 4])),
            Case("x0.unsqueeze(1).expand(3, 2, 4).transpose(0, 2).reshape(4, 6) * x1",
                x => x[0].Unsqueeze(1).Expand(3, 2, 4).Transpose(0, 2).Reshape(4, 6) * x[1], Rand([3, 4]), Rand([4, 6])),
            Case("torch.cat([x0.t().narrow(0, 0, 2), x0.narrow(0, 1, 2)], 0).t().contiguous().reshape(2, 2, -1)",
                x => Tensor.Concat([x[0].T.Narrow(0, 0, 2), x[0].Narrow(0, 1, 2)], 0).T.Contiguous().Reshape(2, 2, -1), Rand([3, 3])),
            Case("torch.stack([x0.narrow(0, 0, 2), x0.narrow(0, 1, 2)], 0).sum(0)",
                x => Tensor.Stack([x[0].Narrow(0, 0, 2), x[0].Narrow(0, 1, 2)], 0).Sum(0), Rand([3, 2])));
    }
}
