using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class NormalizationTests
{
    [Fact]
    public void RmsNorm_MatchesHuggingFaceLlama()
    {
        Against(
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-6)", x => Tensor.RmsNorm(x[0], x[1], 1e-6f), [Rand([2, 3, 8], 2f), Rand([8])]),
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-5)", x => Tensor.RmsNorm(x[0], x[1], 1e-5f), [Rand([4, 16]), Uniform([16], 0.5f, 1.5f)]),
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-5)", x => Tensor.RmsNorm(x[0], x[1], 1e-5f), [Rand([5, 1]), Rand([1])]),
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-5)", x => Tensor.RmsNorm(x[0], x[1], 1e-5f), [Rand([7]), Rand([7])]),
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-6)", x => Tensor.RmsNorm(x[0], x[1], 1e-6f), [Rand([40, 1024]), Rand([1024])], Rtol: 2e-4f));
    }

    [Fact]
    public void RmsNorm_OnNonContiguousViews_MatchesTorch()
    {
        Against(
            new OpCase("ref_nn.rms_norm(x0.t(), x1, 1e-5)", x => Tensor.RmsNorm(x[0].T, x[1], 1e-5f), [Rand([8, 3]), Rand([8])]),
            new OpCase("ref_nn.rms_norm(x0.narrow(1, 2, 4), x1.narrow(0, 1, 4), 1e-5)",
                x => Tensor.RmsNorm(x[0].Narrow(1, 2, 4), x[1].Narrow(0, 1, 4), 1e-5f), [Rand([3, 8]), Rand([6])]));
    }

    [Fact]
    public void LayerNorm_WithAndWithoutAffine_MatchesTorch()
    {
        Against(
            new OpCase("F.layer_norm(x0, (8,), x1, x2, 1e-5)", x => Tensor.LayerNorm(x[0], x[1], x[2], 1e-5f), [Rand([2, 3, 8], 2f), Rand([8]), Rand([8])]),
            new OpCase("F.layer_norm(x0, (6,), x1, None, 1e-5)", x => Tensor.LayerNorm(x[0], x[1], null, 1e-5f), [Rand([4, 6]), Rand([6])]),
            new OpCase("F.layer_norm(x0, (6,), None, x1, 1e-5)", x => Tensor.LayerNorm(x[0], null, x[1], 1e-5f), [Rand([4, 6]), Rand([6])]),
            new OpCase("F.layer_norm(x0, (6,), None, None, 1e-5)", x => Tensor.LayerNorm(x[0], null, null, 1e-5f), [Rand([4, 6])]),
            new OpCase("F.layer_norm(x0, (1,), x1, x2, 1e-5)", x => Tensor.LayerNorm(x[0], x[1], x[2], 1e-5f), [Rand([3, 1]), Rand([1]), Rand([1])]),
            new OpCase("F.layer_norm(x0, (1024,), x1, x2, 1e-5)", x => Tensor.LayerNorm(x[0], x[1], x[2], 1e-5f), [Rand([40, 1024]), Rand([1024]), Rand([1024])], Rtol: 2e-4f));
    }

    [Fact]
    public void LayerNorm_OnNonContiguousViewsAndLargeMean_MatchesTorch()
    {
        Against(
            new OpCase("F.layer_norm(x0.t(), (8,), x1, x2, 1e-5)", x => Tensor.LayerNorm(x[0].T, x[1], x[2], 1e-5f), [Rand([8, 3]), Rand([8]), Rand([8])]),
            new OpCase("F.layer_norm(x0.permute(1, 2, 0), (2,), x1, None, 1e-5)", x => Tensor.LayerNorm(x[0].Permute(1, 2, 0), x[1], null, 1e-5f), [Rand([2, 3, 4]), Rand([2])]),
            // Mean 1000 and spread 1: a one-pass E[x^2] - E[x]^2 variance would lose most digits here.
            new OpCase("F.layer_norm(x0, (16,), x1, x2, 1e-5)", x => Tensor.LayerNorm(x[0], x[1], x[2], 1e-5f), [Uniform([4, 16], 999f, 1001f), Rand([16]), Rand([16])], Atol: 1e-4f, Rtol: 1e-3f));
    }

    [Fact]
    public void RmsNorm_LayerNorm_Fused_MatchComposed()
    {
        FusedCheck.AgainstComposed("rms_norm", x => Tensor.RmsNorm(x[0], x[1], 1e-6f),
            x => x[0] * (x[0].Square().Mean(-1, keepDim: true) + 1e-6f).Sqrt().Pow(-1f) * x[1],
            [Rand([3, 5, 16]), Rand([16])]);
        FusedCheck.AgainstComposed("layer_norm", x => Tensor.LayerNorm(x[0], x[1], x[2], 1e-5f), x =>
        {
            var centred = x[0] - x[0].Mean(-1, keepDim: true);
            return centred / (centred.Square().Mean(-1, keepDim: true) + 1e-5f).Sqrt() * x[1] + x[2];
        }, [Rand([3, 5, 16]), Rand([16]), Rand([16])]);
    }

    [Fact]
    public void RmsNorm_LayerNorm_GradientsMatchFiniteDifferences()
    {
        var rng = new Random(5);
        var x = Tensor.Parameter(RandomData(rng, 15, 2f), 3, 5);
        var w = Tensor.Parameter(RandomData(rng, 5), 5);
        var b = Tensor.Parameter(RandomData(rng, 5), 5);
        FiniteDifference.Check("rms_norm", t => Tensor.RmsNorm(t[0], t[1], 1e-5f), [x, w]);
        FiniteDifference.Check("layer_norm", t => Tensor.LayerNorm(t[0], t[1], t[2], 1e-5f), [x, w, b]);
    }

    [Fact]
    public void RmsNorm_LayerNorm_BadShapes_NameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.RmsNorm(Tensor.Zeros(2, 4), Tensor.Zeros(5), 1e-5f));
        Assert.Contains("rms_norm", ex.Message);
        Assert.Contains("(5)", ex.Message);
        Assert.Contains("(2, 4)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Zeros(2, 4), Tensor.Zeros(4), Tensor.Zeros(4, 1), 1e-5f));
        Assert.Contains("layer_norm", ex.Message);
        Assert.Contains("(4, 1)", ex.Message);
        Assert.Contains("(2, 4)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Scalar(1f), null, null, 1e-5f));
        Assert.Contains("layer_norm", ex.Message);
        Assert.Contains("()", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.RmsNorm(Tensor.Zeros(2, 4), Tensor.Zeros(4), -1f));
    }
}
