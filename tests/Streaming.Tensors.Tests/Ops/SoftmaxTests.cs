using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class SoftmaxTests
{
    [Fact]
    public void Softmax_LogSoftmax_AlongEachDim_MatchTorch()
    {
        Against(
            new OpCase("x0.softmax(-1)", x => x[0].Softmax(-1), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.softmax(0)", x => x[0].Softmax(0), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.softmax(1)", x => x[0].Softmax(1), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.softmax(0)", x => x[0].Softmax(0), [Rand([7])]),
            new OpCase("x0.softmax(-1)", x => x[0].Softmax(-1), [Rand([4, 1])]),
            new OpCase("x0.softmax(0)", x => x[0].Softmax(0), [Rand([1, 6])]),
            new OpCase("x0.softmax(0)", x => x[0].Softmax(0), [Rand([])]),
            new OpCase("x0.softmax(-1)", x => x[0].Softmax(-1), [Rand([48, 512], 4f)]),
            new OpCase("x0.log_softmax(-1)", x => x[0].LogSoftmax(-1), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.log_softmax(0)", x => x[0].LogSoftmax(0), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.log_softmax(-2)", x => x[0].LogSoftmax(-2), [Rand([2, 3, 5], 3f)]),
            new OpCase("x0.log_softmax(-1)", x => x[0].LogSoftmax(-1), [Rand([4, 1])]),
            new OpCase("x0.log_softmax(0)", x => x[0].LogSoftmax(0), [Rand([])]),
            new OpCase("x0.log_softmax(-1)", x => x[0].LogSoftmax(-1), [Rand([48, 512], 4f)]));
    }

    [Fact]
    public void Softmax_LogSoftmax_OnNonContiguousViews_MatchTorch()
    {
        Against(
            new OpCase("x0.t().softmax(-1)", x => x[0].T.Softmax(-1), [Rand([5, 3], 2f)]),
            new OpCase("x0.narrow(1, 1, 3).softmax(-1)", x => x[0].Narrow(1, 1, 3).Softmax(-1), [Rand([4, 6], 2f)]),
            new OpCase("x0.permute(2, 0, 1).softmax(1)", x => x[0].Permute(2, 0, 1).Softmax(1), [Rand([2, 3, 4], 2f)]),
            new OpCase("x0.t().log_softmax(-1)", x => x[0].T.LogSoftmax(-1), [Rand([5, 3], 2f)]),
            new OpCase("x0.narrow(0, 1, 2).log_softmax(0)", x => x[0].Narrow(0, 1, 2).LogSoftmax(0), [Rand([4, 6], 2f)]));
    }

    [Fact]
    public void Softmax_LogSoftmax_LargeLogits_StayFiniteAndMatchTorch()
    {
        Against(
            new OpCase("x0.softmax(-1)", x => AssertFinite(x[0].Softmax(-1)), [Rand([3, 8], 1e4f)]),
            new OpCase("x0.log_softmax(-1)", x => AssertFinite(x[0].LogSoftmax(-1)), [Rand([3, 8], 1e4f)]),
            new OpCase("x0.softmax(0)", x => AssertFinite(x[0].Softmax(0)), [Uniform([6, 2], 29990f, 30010f)]),
            new OpCase("x0.log_softmax(0)", x => AssertFinite(x[0].LogSoftmax(0)), [Uniform([6, 2], -30010f, -29990f)]));
    }

    [Fact]
    public void Softmax_AfterMaskedFillWithNegativeInfinity_MatchesTorch()
    {
        // The attention pattern: future positions filled with -inf, then softmax over keys. Log-softmax
        // gets -1e9 instead: the oracle's JSON cannot carry the -inf it would output.
        var causal = new float[16];
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++) causal[i * 4 + j] = 1f;
        var mask = new OracleInput(causal, [4, 4], Grad: false);
        Against(
            new OpCase("x0.masked_fill(x1 != 0, float('-inf')).softmax(-1)",
                x => x[0].MaskedFill(x[1], float.NegativeInfinity).Softmax(-1), [Rand([2, 4, 4], 3f), mask]),
            new OpCase("x0.masked_fill(x1 != 0, -1e9).log_softmax(-1)",
                x => x[0].MaskedFill(x[1], -1e9f).LogSoftmax(-1), [Rand([2, 4, 4], 3f), mask], Rtol: 1e-6f));
    }

    [Fact]
    public void Softmax_LogSoftmax_Fused_MatchComposed()
    {
        FusedCheck.AgainstComposed("softmax", x => x[0].Softmax(-1), x =>
        {
            var e = (x[0] - x[0].Max(-1, keepDim: true).Detach()).Exp();
            return e / e.Sum(-1, keepDim: true);
        }, [Rand([3, 4, 7], 5f)]);
        FusedCheck.AgainstComposed("log_softmax", x => x[0].LogSoftmax(1), x =>
        {
            var shifted = x[0] - x[0].Max(1, keepDim: true).Detach();
            return shifted - shifted.Exp().Sum(1, keepDim: true).Log();
        }, [Rand([3, 4, 7], 5f)]);
    }

    [Fact]
    public void Softmax_LogSoftmax_GradientsMatchFiniteDifferences()
    {
        var x = Tensor.Parameter(RandomData(new Random(3), 12, 2f), 3, 4);
        FiniteDifference.Check("softmax", t => t[0].Softmax(-1), [x]);
        FiniteDifference.Check("log_softmax", t => t[0].LogSoftmax(0), [x]);
    }

    [Fact]
    public void Softmax_DimensionOutOfRange_NamesOpAndShape()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Softmax(2));
        Assert.Contains("softmax", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).LogSoftmax(-3));
        Assert.Contains("log_softmax", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
    }

    static Tensor AssertFinite(Tensor t)
    {
        Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v), $"non-finite value {v} in {t}"));
        return t;
    }
}
