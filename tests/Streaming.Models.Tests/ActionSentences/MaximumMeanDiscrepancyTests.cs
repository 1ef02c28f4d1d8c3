using Streaming.Models.ActionSentences;
using Streaming.Tensors;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.ActionSentences;

public class MaximumMeanDiscrepancyTests
{
    [Fact]
    public void GaussianBiased_MatchesTorch()
    {
        Against(
            new OpCase("ref_action_sentences.mmd_gaussian(x0, x1, 1.0)", x => MaximumMeanDiscrepancy.GaussianBiased(x[0], x[1], 1f), [Rand([6, 4]), Rand([9, 4])]),
            new OpCase("ref_action_sentences.mmd_gaussian(x0, x1, 0.3)", x => MaximumMeanDiscrepancy.GaussianBiased(x[0], x[1], 0.3f), [Rand([5, 3], 0.5f), Rand([4, 3], 0.5f, grad: false)]),
            new OpCase("ref_action_sentences.mmd_gaussian(x0, x1 + 2, 2.5)", x => MaximumMeanDiscrepancy.GaussianBiased(x[0], x[1].Add(2f), 2.5f), [Rand([1, 8]), Rand([3, 8])]),
            new OpCase("ref_action_sentences.mmd_gaussian(x0, x1, 1.0)", x => MaximumMeanDiscrepancy.GaussianBiased(x[0], x[1], 1f), [Rand([64, 16]), Rand([40, 16])]));
    }

    [Fact]
    public void GaussianBiased_SameSampleIsZero_ShiftedSampleIsPositive()
    {
        var x = Tensor.FromArray(RandomData(new Random(2), 30), 10, 3);
        Assert.InRange(MaximumMeanDiscrepancy.GaussianBiased(x, x, 1f).Item(), -1e-6f, 1e-6f);
        Assert.True(MaximumMeanDiscrepancy.GaussianBiased(x, x.Add(1f), 1f).Item() > 0.1f);
    }

    [Fact]
    public void GaussianBiased_BadArguments_SayWhat()
    {
        var ex = Assert.Throws<ArgumentException>(() => MaximumMeanDiscrepancy.GaussianBiased(Tensor.Zeros(4, 3), Tensor.Zeros(5, 2), 1f));
        Assert.Contains("(4, 3)", ex.Message);
        Assert.Contains("(5, 2)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MaximumMeanDiscrepancy.GaussianBiased(Tensor.Zeros(4, 3), Tensor.Zeros(5, 3), 0f));
    }
}
