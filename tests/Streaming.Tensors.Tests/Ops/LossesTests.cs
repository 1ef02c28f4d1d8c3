using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class LossesTests
{
    [Fact]
    public void CrossEntropy_ShapesAndIgnoreIndex_MatchTorch()
    {
        int[] t4 = [1, 0, 4, 2];
        int[] ignored = [1, -100, 4, -100];
        int[] spatial = [0, 3, 2, 1, 1, 3];
        int[] spatial2 = [2, 0, 1, 1, 0, 2, 2, 1];
        Against(
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], t4), [Rand([4, 5], 3f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], [2]), [Rand([1, 3]), OracleInput.Long([2], 1)]),
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], new int[6]), [Rand([6, 1]), OracleInput.Long(new int[6], 6)]),
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], spatial), [Rand([2, 4, 3], 3f), OracleInput.Long(spatial, 2, 3)]),
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], spatial2), [Rand([2, 3, 2, 2], 3f), OracleInput.Long(spatial2, 2, 2, 2)]),
            new OpCase("F.cross_entropy(x0, x1)", x => Tensor.CrossEntropy(x[0], ignored), [Rand([4, 5], 3f), OracleInput.Long(ignored, 4)]),
            new OpCase("F.cross_entropy(x0, x1, ignore_index=2)", x => Tensor.CrossEntropy(x[0], [2, 0, 2, 1], ignoreIndex: 2), [Rand([4, 3], 3f), OracleInput.Long([2, 0, 2, 1], 4)]),
            new OpCase("F.cross_entropy(x0.t(), x1)", x => Tensor.CrossEntropy(x[0].T, t4), [Rand([5, 4], 3f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0.permute(0, 2, 1), x1)", x => Tensor.CrossEntropy(x[0].Permute(0, 2, 1), spatial), [Rand([2, 3, 4], 3f), OracleInput.Long(spatial, 2, 3)]));
    }

    [Fact]
    public void CrossEntropy_LabelSmoothingAndClassWeights_MatchTorch()
    {
        int[] t4 = [1, 0, 4, 2];
        int[] ignored = [3, -100, 0, 2, -100, 1];
        var w5 = new OracleInput([0.5f, 2f, 1f, 0.25f, 3f], [5], Grad: false);
        var w4 = new OracleInput([1.5f, 0.5f, 2f, 1f], [4], Grad: false);
        Against(
            new OpCase("F.cross_entropy(x0, x1, label_smoothing=0.1)", x => Tensor.CrossEntropy(x[0], t4, labelSmoothing: 0.1f), [Rand([4, 5], 3f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1, label_smoothing=1.0)", x => Tensor.CrossEntropy(x[0], t4, labelSmoothing: 1f), [Rand([4, 5], 3f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1, weight=x2)", x => Tensor.CrossEntropy(x[0], t4, classWeights: x[2]), [Rand([4, 5], 3f), OracleInput.Long(t4, 4), w5]),
            new OpCase("F.cross_entropy(x0, x1, weight=x2, label_smoothing=0.2)",
                x => Tensor.CrossEntropy(x[0], t4, labelSmoothing: 0.2f, classWeights: x[2]), [Rand([4, 5], 3f), OracleInput.Long(t4, 4), w5]),
            new OpCase("F.cross_entropy(x0, x1, label_smoothing=0.2)",
                x => Tensor.CrossEntropy(x[0], ignored, labelSmoothing: 0.2f), [Rand([3, 4, 2], 3f), OracleInput.Long(ignored, 3, 2)]),
            new OpCase("F.cross_entropy(x0, x1, weight=x2, ignore_index=-100, label_smoothing=0.2)",
                x => Tensor.CrossEntropy(x[0], ignored, labelSmoothing: 0.2f, classWeights: x[2]), [Rand([3, 4, 2], 3f), OracleInput.Long(ignored, 3, 2), w4]),
            new OpCase("F.cross_entropy(x0, x1, weight=x2, ignore_index=1, label_smoothing=0.3)",
                x => Tensor.CrossEntropy(x[0], [1, 1, 0, 3, 2, 1], ignoreIndex: 1, labelSmoothing: 0.3f, classWeights: x[2]),
                [Rand([6, 4], 3f), OracleInput.Long([1, 1, 0, 3, 2, 1], 6), w4]));
    }

    [Fact]
    public void CrossEntropy_LargeLogits_StaysFiniteAndMatchesTorch()
    {
        int[] t4 = [1, 0, 4, 2];
        Against(
            new OpCase("F.cross_entropy(x0, x1)", x => AssertFinite(Tensor.CrossEntropy(x[0], t4)), [Rand([4, 5], 1e4f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1, label_smoothing=0.1)", x => AssertFinite(Tensor.CrossEntropy(x[0], t4, labelSmoothing: 0.1f)), [Rand([4, 5], 1e4f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1)", x => AssertFinite(Tensor.CrossEntropy(x[0], t4)), [Uniform([4, 5], 29990f, 30010f), OracleInput.Long(t4, 4)]),
            new OpCase("F.cross_entropy(x0, x1, weight=x2, label_smoothing=0.1)",
                x => AssertFinite(Tensor.CrossEntropy(x[0], t4, labelSmoothing: 0.1f, classWeights: x[2])),
                [Uniform([4, 5], 29990f, 30010f), OracleInput.Long(t4, 4), new OracleInput([0.5f, 2f, 1f, 0.25f, 3f], [5], Grad: false)]));
    }

    [Fact]
    public void CrossEntropy_ManyRowsAndClasses_MatchesTorch()
    {
        // Enough rows x classes to run the row blocks in parallel.
        var rng = new Random(4);
        var targets = Enumerable.Range(0, 64).Select(i => i % 7 == 3 ? -100 : rng.Next(500)).ToArray();
        Against(new OpCase("F.cross_entropy(x0, x1, label_smoothing=0.1)", x => Tensor.CrossEntropy(x[0], targets, labelSmoothing: 0.1f),
            [Rand([64, 500], 5f), OracleInput.Long(targets, 64)]));
    }

    [Fact]
    public void CrossEntropy_AllTargetsIgnored_IsNaNWithZeroGradient()
    {
        // PyTorch: the mean over no targets is 0/0 and every logit's gradient is 0.
        var logits = Tensor.Parameter(RandomData(new Random(1), 8), 2, 4);
        var loss = Tensor.CrossEntropy(logits, [-100, -100], labelSmoothing: 0.1f);
        Assert.True(float.IsNaN(loss.Item()));
        loss.Backward();
        Assert.All(logits.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MseLoss_SmoothL1Loss_MatchTorch()
    {
        Against(
            new OpCase("F.mse_loss(x0, x1)", x => Tensor.MseLoss(x[0], x[1]), [Rand([3, 4]), Rand([3, 4])]),
            new OpCase("F.mse_loss(x0, x1)", x => Tensor.MseLoss(x[0], x[1]), [Rand([7]), Rand([7], grad: false)]),
            new OpCase("F.mse_loss(x0, x1)", x => Tensor.MseLoss(x[0], x[1]), [Rand([2, 1, 3]), Rand([2, 1, 3])]),
            new OpCase("F.mse_loss(x0.t(), x1)", x => Tensor.MseLoss(x[0].T, x[1]), [Rand([4, 3]), Rand([3, 4])]),
            new OpCase("F.smooth_l1_loss(x0, x1)", x => Tensor.SmoothL1Loss(x[0], x[1]), [Rand([4, 5], 2f), Rand([4, 5], 2f)]),
            new OpCase("F.smooth_l1_loss(x0, x1, beta=0.5)", x => Tensor.SmoothL1Loss(x[0], x[1], 0.5f), [Rand([4, 5], 2f), Rand([4, 5], 2f)]),
            new OpCase("F.smooth_l1_loss(x0, x1, beta=0.0)", x => Tensor.SmoothL1Loss(x[0], x[1], 0f), [Rand([3, 3]), Rand([3, 3])]),
            new OpCase("F.smooth_l1_loss(x0.narrow(1, 1, 2), x1)", x => Tensor.SmoothL1Loss(x[0].Narrow(1, 1, 2), x[1]), [Rand([3, 4], 2f), Rand([3, 2], 2f)]));
    }

    [Fact]
    public void KlDivergence_MatchesTorchBatchmean()
    {
        var zeroTargets = new OracleInput([0f, 0.5f, 0.5f, 0.25f, 0f, 0.75f], [2, 3], Grad: false);
        Against(
            new OpCase("F.kl_div(x0, x1, reduction='batchmean')", x => Tensor.KlDivergence(x[0], x[1]), [Rand([3, 5], 2f), Uniform([3, 5], 0.05f, 1f)]),
            new OpCase("F.kl_div(x0.log_softmax(-1), x1.softmax(-1), reduction='batchmean')",
                x => Tensor.KlDivergence(x[0].LogSoftmax(-1), x[1].Softmax(-1)), [Rand([2, 3, 4], 2f), Rand([2, 3, 4], 2f)]),
            new OpCase("F.kl_div(x0, x1, reduction='batchmean', log_target=True)",
                x => Tensor.KlDivergence(x[0], x[1], logTarget: true), [Rand([3, 5], 2f), Rand([3, 5], 2f)]),
            new OpCase("F.kl_div(x0.t(), x1, reduction='batchmean', log_target=True)",
                x => Tensor.KlDivergence(x[0].T, x[1], logTarget: true), [Rand([4, 2]), Rand([2, 4])]),
            new OpCase("F.kl_div(x0, x1, reduction='batchmean')", x => Tensor.KlDivergence(x[0], x[1]), [Rand([2, 3]), zeroTargets]));
    }

    [Fact]
    public void JsDivergence_MatchesTorchComposition()
    {
        var withZeros = new OracleInput([0f, 0.3f, 0.7f, 0.5f, 0.5f, 0f], [2, 3], Grad: false);
        Against(
            new OpCase("ref_nn.js_div(x0, x1)", x => Tensor.JsDivergence(x[0], x[1]), [Uniform([3, 5], 0.05f, 1f), Uniform([3, 5], 0.05f, 1f)]),
            new OpCase("ref_nn.js_div(x0.softmax(-1), x1.softmax(-1))",
                x => Tensor.JsDivergence(x[0].Softmax(-1), x[1].Softmax(-1)), [Rand([2, 3, 4], 2f), Rand([2, 3, 4], 2f)]),
            new OpCase("ref_nn.js_div(x0.t(), x1)", x => Tensor.JsDivergence(x[0].T, x[1]), [Uniform([4, 2], 0.1f, 1f), Uniform([2, 4], 0.1f, 1f)]),
            new OpCase("ref_nn.js_div(x0, x1)", x => Tensor.JsDivergence(x[0], x[1]), [withZeros, Uniform([2, 3], 0.1f, 1f)]));
    }

    [Fact]
    public void Losses_GradientsMatchFiniteDifferences()
    {
        var rng = new Random(21);
        var logits = Tensor.Parameter(RandomData(rng, 24, 2f), 3, 4, 2);
        var weights = Tensor.FromArray([1.5f, 0.5f, 2f, 1f], 4);
        FiniteDifference.Check("cross_entropy", t => Tensor.CrossEntropy(t[0], [3, -100, 0, 2, 1, 1], labelSmoothing: 0.2f, classWeights: weights), [logits]);
        var a = Tensor.Parameter(RandomData(rng, 12, 2f), 3, 4);
        var b = Tensor.Parameter(RandomData(rng, 12, 2f), 3, 4);
        FiniteDifference.Check("mse_loss", t => Tensor.MseLoss(t[0], t[1]), [a, b]);
        FiniteDifference.Check("js_div", t => Tensor.JsDivergence(t[0].Softmax(-1), t[1].Softmax(-1)), [a, b]);
        FiniteDifference.Check("kl_div", t => Tensor.KlDivergence(t[0].LogSoftmax(-1), t[1], logTarget: true), [a, b]);
    }

    [Fact]
    public void CrossEntropy_BadTargetsAndShapes_NameOpAndShapes()
    {
        var logits = Tensor.Zeros(3, 5);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, [0, 5, 1]));
        Assert.Contains("cross_entropy", ex.Message);
        Assert.Contains("target 5 at position 1", ex.Message);
        Assert.Contains("5 classes", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, [0, -1, 1]));
        Assert.Contains("target -1", ex.Message);
        var shape = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, [0, 1]));
        Assert.Contains("cross_entropy", shape.Message);
        Assert.Contains("(3, 5)", shape.Message);
        shape = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Zeros(5), [1]));
        Assert.Contains("(5)", shape.Message);
        shape = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, [0, 1, 2], classWeights: Tensor.Ones(4)));
        Assert.Contains("(4)", shape.Message);
        Assert.Contains("(3, 5)", shape.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, [0, 1, 2], labelSmoothing: 1.5f));
    }

    [Fact]
    public void Losses_MismatchedShapes_NameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.MseLoss(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("mse_loss", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.SmoothL1Loss(Tensor.Zeros(2), Tensor.Zeros(2, 1)));
        Assert.Contains("smooth_l1_loss", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.KlDivergence(Tensor.Zeros(4), Tensor.Zeros(2, 2)));
        Assert.Contains("kl_div", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.JsDivergence(Tensor.Zeros(4), Tensor.Zeros(5)));
        Assert.Contains("js_div", ex.Message);
        Assert.Contains("(5)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.SmoothL1Loss(Tensor.Zeros(2), Tensor.Zeros(2), -1f));
    }

    static Tensor AssertFinite(Tensor t)
    {
        Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v), $"non-finite value {v} in {t}"));
        return t;
    }
}
