using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

// Random masks cannot be compared with PyTorch's; the tests check the statistics and that forward and
// backward apply the one mask observed in the output.
public class DropoutTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Dropout_Training_DropsFractionPAndKeepsMean(float p)
    {
        const int n = 200_000;
        var y = Tensor.Ones(n).Dropout(p, training: true, new Random(17)).ToArray();
        int dropped = y.Count(v => v == 0f);
        // Binomial standard deviation sqrt(p(1-p)/n) is at most 0.0012; allow five of them.
        Assert.InRange((double)dropped / n, p - 0.006, p + 0.006);
        Assert.All(y, v => Assert.True(v == 0f || v == 1f / (1f - p), $"value {v} is neither 0 nor 1/(1-p)"));
        Assert.InRange(y.Average(v => (double)v), 1 - 0.006 / (1 - p), 1 + 0.006 / (1 - p));
    }

    [Fact]
    public void Dropout_BackwardUsesTheForwardMask()
    {
        const float p = 0.3f;
        var rng = new Random(5);
        var x = Tensor.Parameter(RandomData(rng, 60), 3, 4, 5);
        var view = x.Permute(2, 0, 1);
        var y = view.Dropout(p, training: true, new Random(9));
        var xs = view.ToArray();
        var ys = y.ToArray();
        var mask = ys.Select(v => v != 0f ? 1f : 0f).ToArray();
        Assert.Contains(0f, mask);
        Assert.Contains(1f, mask);
        Close("dropout output", ys, xs.Select((v, i) => v * mask[i] / (1f - p)).ToArray(), 0f, 1e-6f);

        var g = RandomData(rng, 60);
        y.Backward(new Tensor(g, y.Shape));
        var expected = Tensor.FromArray(g.Select((v, i) => v * mask[i] / (1f - p)).ToArray(), 5, 3, 4).Permute(1, 2, 0).ToArray();
        Close("dropout gradient", x.Grad!.ToArray(), expected, 0f, 1e-6f);
    }

    [Fact]
    public void Dropout_SameSeed_SameMask()
    {
        var x = Tensor.Ones(1000);
        Assert.Equal(x.Dropout(0.4f, true, new Random(3)).ToArray(), x.Dropout(0.4f, true, new Random(3)).ToArray());
    }

    [Fact]
    public void Dropout_EvaluationOrZeroP_IsIdentity()
    {
        var x = Tensor.Parameter(RandomData(new Random(1), 6), 2, 3);
        Assert.Same(x, x.Dropout(0.5f, training: false, new Random(1)));
        Assert.Same(x, x.Dropout(0f, training: true, new Random(1)));
    }

    [Fact]
    public void Dropout_GradientMatchesFiniteDifferences()
    {
        var x = Tensor.Parameter(RandomData(new Random(2), 20), 4, 5);
        FiniteDifference.Check("dropout", t => t[0].Dropout(0.5f, training: true, new Random(8)), [x]);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Dropout_ProbabilityOutsideUnitInterval_Throws(float p)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Dropout(p, training: true, new Random(1)));
        Assert.Contains("dropout", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
    }
}
