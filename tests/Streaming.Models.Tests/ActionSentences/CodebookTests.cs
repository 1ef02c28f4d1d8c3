using Streaming.Models.ActionSentences;
using Streaming.Tensors;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.ActionSentences;

public class CodebookTests
{
    static Tensor IndicesTensor(int[] indices) => Tensor.FromArray(indices.Select(i => (float)i).ToArray(), indices.Length);

    [Fact]
    public void PairwiseSquaredDistance_MatchesTorch()
    {
        Against(
            new OpCase("ref_action_sentences.sqdist(x0, x1)", x => Codebook.PairwiseSquaredDistance(x[0], x[1]), [Rand([5, 3]), Rand([7, 3])]),
            new OpCase("ref_action_sentences.sqdist(x0, x1)", x => Codebook.PairwiseSquaredDistance(x[0], x[1]), [Rand([1, 1]), Rand([1, 1])]),
            new OpCase("ref_action_sentences.sqdist(x0, x1)", x => Codebook.PairwiseSquaredDistance(x[0], x[1]), [Rand([40, 16], 3f), Rand([64, 16])], 1e-4f, 1e-4f),
            new OpCase("ref_action_sentences.sqdist(x0.t(), x1)", x => Codebook.PairwiseSquaredDistance(x[0].T, x[1]), [Rand([4, 6]), Rand([3, 4])]),
            new OpCase("ref_action_sentences.sqdist(x0, x1)", x => Codebook.PairwiseSquaredDistance(x[0], x[1]), [Rand([4, 8]), Rand([5, 8], grad: false)]));
    }

    [Fact]
    public void NearestCodebook_ForwardIsCodebookRow_GradientPassesStraightThrough()
    {
        Against(
            new OpCase("ref_action_sentences.vq(x0, x1)", x => Codebook.Nearest(x[0], x[1]).Quantized, [Rand([9, 4]), Rand([6, 4], grad: false)]),
            new OpCase("ref_action_sentences.vq(x0, x1)", x => Codebook.Nearest(x[0], x[1]).Quantized, [Rand([1, 3]), Rand([1, 3], grad: false)]),
            new OpCase("ref_action_sentences.vq(x0, x1)", x => Codebook.Nearest(x[0], x[1]).Quantized, [Rand([50, 8]), Rand([128, 8], grad: false)]),
            new OpCase("ref_action_sentences.nearest_index(x0, x1)", x => IndicesTensor(Codebook.Nearest(x[0], x[1]).Indices), [Rand([50, 8], grad: false), Rand([128, 8], grad: false)]),
            new OpCase("ref_action_sentences.nearest_index(x0, x1)", x => IndicesTensor(Codebook.Nearest(x[0], x[1]).Indices), [Rand([30, 2], 5f, grad: false), Rand([11, 2], grad: false)]));
    }

    [Fact]
    public void NearestCodebook_CodebookGetsNoGradient()
    {
        var x = Tensor.Parameter([0.9f, 0.1f, -1f, -1f], 2, 2);
        var codebook = Tensor.Parameter([1f, 0f, 0f, 1f, -1f, -1f], 3, 2);
        var (quantized, indices) = Codebook.Nearest(x, codebook);
        Assert.Equal([0, 2], indices);
        Assert.Equal([1f, 0f, -1f, -1f], quantized.ToArray());
        quantized.Sum().Backward();
        Assert.Equal([1f, 1f, 1f, 1f], x.Grad!.ToArray());
        Assert.Null(codebook.Grad);
    }

    [Fact]
    public void Codebook_ShapeMismatch_NamesOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Codebook.PairwiseSquaredDistance(Tensor.Zeros(4, 3), Tensor.Zeros(5, 2)));
        Assert.Contains("pairwise_squared_distance", ex.Message);
        Assert.Contains("(4, 3)", ex.Message);
        Assert.Contains("(5, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Codebook.Nearest(Tensor.Zeros(2, 4, 3), Tensor.Zeros(5, 3)));
        Assert.Contains("nearest_codebook", ex.Message);
        Assert.Contains("(2, 4, 3)", ex.Message);
        Assert.Contains("(5, 3)", ex.Message);
    }
}
