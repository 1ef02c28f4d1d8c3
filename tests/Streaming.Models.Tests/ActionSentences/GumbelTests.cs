using Streaming.Models.ActionSentences;
using Streaming.Tensors;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.ActionSentences;

public class GumbelTests
{
    static OracleInput Noise(params int[] shape)
    {
        var rng = new Random(Tensor.Numel(shape));
        return new OracleInput(Enumerable.Range(0, Tensor.Numel(shape)).Select(_ => (float)-Math.Log(-Math.Log(rng.NextDouble() * 0.999 + 0.0005))).ToArray(), shape, Grad: false);
    }

    [Fact]
    public void GumbelSoftmax_SoftAndHardWithGivenNoise_MatchesTorch()
    {
        Against(
            new OpCase("ref_action_sentences.gumbel_softmax(x0, x1, 0.5, False)", x => x[0].GumbelSoftmax(x[1], 0.5f, hard: false), [Rand([4, 6], 2f), Noise(4, 6)]),
            new OpCase("ref_action_sentences.gumbel_softmax(x0, x1, 1.0, True)", x => x[0].GumbelSoftmax(x[1], 1f, hard: true), [Rand([4, 6], 2f), Noise(4, 6)]),
            new OpCase("ref_action_sentences.gumbel_softmax(x0, x1, 2.0, True, dim=1)", x => x[0].GumbelSoftmax(x[1], 2f, hard: true, dim: 1), [Rand([2, 5, 3], 2f), Noise(2, 5, 3)]),
            new OpCase("ref_action_sentences.gumbel_softmax(x0, x1, 0.1, False, dim=0)", x => x[0].GumbelSoftmax(x[1], 0.1f, hard: false, dim: 0), [Rand([3, 4]), Noise(3, 4)]),
            new OpCase("ref_action_sentences.gumbel_softmax(x0, x1, 0.7, True)", x => x[0].GumbelSoftmax(x[1], 0.7f, hard: true), [Rand([1, 1]), Noise(1, 1)]),
            new OpCase("ref_action_sentences.gumbel_softmax(x0.t(), x1, 1.0, False)", x => x[0].T.GumbelSoftmax(x[1], 1f, hard: false), [Rand([5, 2], 30f), Noise(2, 5)]));
    }

    [Fact]
    public void GumbelSoftmax_HardSamples_FollowTheCategoricalDistribution()
    {
        float[] probabilities = [0.5f, 0.3f, 0.15f, 0.05f];
        const int Rows = 20000;
        var logits = Tensor.FromArray(Enumerable.Range(0, Rows).SelectMany(_ => probabilities.Select(p => MathF.Log(p))).ToArray(), Rows, probabilities.Length);
        var samples = logits.GumbelSoftmax(0.5f, hard: true, new Random(11)).ToArray();
        for (int c = 0; c < probabilities.Length; c++)
        {
            double frequency = Enumerable.Range(0, Rows).Average(r => samples[r * probabilities.Length + c]);
            Assert.InRange(frequency, probabilities[c] - 0.015, probabilities[c] + 0.015);
        }
        Assert.All(Enumerable.Range(0, Rows), r => Assert.Equal(1f, samples.AsSpan(r * probabilities.Length, probabilities.Length).ToArray().Sum()));
    }

    [Fact]
    public void GumbelSoftmax_SameSeed_SameSample()
    {
        var logits = Tensor.FromArray(RandomData(new Random(5), 24), 4, 6);
        Assert.Equal(logits.GumbelSoftmax(0.8f, false, new Random(3)).ToArray(), logits.GumbelSoftmax(0.8f, false, new Random(3)).ToArray());
        Assert.NotEqual(logits.GumbelSoftmax(0.8f, false, new Random(3)).ToArray(), logits.GumbelSoftmax(0.8f, false, new Random(4)).ToArray());
    }

    [Fact]
    public void GumbelSoftmax_BadArguments_NameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).GumbelSoftmax(Tensor.Zeros(3, 2), 1f, false));
        Assert.Contains("gumbel_softmax", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).GumbelSoftmax(0f, false, new Random(1)));
    }
}
