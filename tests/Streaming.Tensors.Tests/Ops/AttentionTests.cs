using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class AttentionTests
{
    static Tensor Sdpa(Tensor[] x, bool causal = false, Tensor? mask = null, float? scale = null) =>
        Tensor.ScaledDotProductAttention(x[0], x[1], x[2], causal, mask, scale);

    /// <summary>A (B, Tk) padding mask with the given number of padded keys at the end of each row.</summary>
    static OracleInput PadEnd(int tk, params int[] padded) =>
        OracleInput.Long(padded.SelectMany(p => Enumerable.Range(0, tk).Select(j => j >= tk - p ? 1 : 0)).ToArray(), padded.Length, tk);

    [Fact]
    public void ScaledDotProductAttention_PlainAndCausal_MatchesTorch()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0, x1, x2)", x => Sdpa(x), [Rand([2, 3, 5, 4]), Rand([2, 3, 5, 4]), Rand([2, 3, 5, 4])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([2, 2, 6, 8]), Rand([2, 2, 6, 8]), Rand([2, 2, 6, 8])]),
            new OpCase("ref_seq.causal_top_left(x0, x1, x2)", x => Sdpa(x, causal: true), [Rand([1, 2, 7, 16]), Rand([1, 2, 7, 16]), Rand([1, 2, 7, 16])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, scale=0.3)", x => Sdpa(x, scale: 0.3f), [Rand([1, 2, 4, 12]), Rand([1, 2, 9, 12]), Rand([1, 2, 9, 3])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([1, 1, 1, 1]), Rand([1, 1, 1, 1]), Rand([1, 1, 1, 1])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2)", x => Sdpa(x), [Rand([1, 1, 3, 5]), Rand([1, 1, 1, 5]), Rand([1, 1, 1, 7])]),
            new OpCase("ref_seq.sdpa(x0.transpose(1, 2), x1.transpose(1, 2), x2.transpose(1, 2), causal=True)",
                x => Tensor.ScaledDotProductAttention(x[0].Transpose(1, 2), x[1].Transpose(1, 2), x[2].Transpose(1, 2), causal: true),
                [Rand([2, 5, 2, 8]), Rand([2, 5, 2, 8]), Rand([2, 5, 2, 8])]));
    }

    [Fact]
    public void ScaledDotProductAttention_GroupedQueryAndPadding_MatchesTorch()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([2, 4, 6, 8]), Rand([2, 2, 6, 8]), Rand([2, 2, 6, 8])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2)", x => Sdpa(x), [Rand([1, 6, 5, 4]), Rand([1, 1, 7, 4]), Rand([1, 1, 7, 6])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, padding=x3)", x => Sdpa(x, mask: x[3]), [Rand([3, 2, 4, 8]), Rand([3, 2, 6, 8]), Rand([3, 2, 6, 8]), PadEnd(6, 0, 2, 5)]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True, padding=x3)", x => Sdpa(x, causal: true, mask: x[3]), [Rand([2, 4, 6, 8]), Rand([2, 2, 6, 8]), Rand([2, 2, 6, 8]), PadEnd(6, 1, 3)]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, padding=x3)", x => Sdpa(x, mask: x[3]),
                [Rand([2, 2, 3, 4]), Rand([2, 2, 5, 4]), Rand([2, 2, 5, 4]), OracleInput.Long([1, 0, 1, 0, 1, 0, 0, 0, 0, 0], 2, 5)]),
            // Transposed (B, T, H, D) views read in place, across key and query block boundaries (64 and 32).
            new OpCase("ref_seq.sdpa(x0.transpose(1, 2), x1.transpose(1, 2), x2.transpose(1, 2), causal=True, padding=x3)",
                x => Tensor.ScaledDotProductAttention(x[0].Transpose(1, 2), x[1].Transpose(1, 2), x[2].Transpose(1, 2), causal: true, keyPaddingMask: x[3]),
                [Rand([2, 70, 4, 8]), Rand([2, 70, 2, 8]), Rand([2, 70, 2, 8]), PadEnd(70, 0, 9)]));
    }

    [Fact]
    public void ScaledDotProductAttention_QueriesShorterThanKeys_AlignsCausalBottomRight()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([2, 2, 3, 8]), Rand([2, 2, 7, 8]), Rand([2, 2, 7, 8])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([1, 4, 1, 16]), Rand([1, 2, 9, 16]), Rand([1, 2, 9, 16])]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True, padding=x3)", x => Sdpa(x, causal: true, mask: x[3]), [Rand([2, 2, 2, 8]), Rand([2, 2, 5, 8]), Rand([2, 2, 5, 8]), PadEnd(5, 0, 2)]));
    }

    [Fact]
    public void ScaledDotProductAttention_RowsWithoutKeys_GiveZerosAndNoGradient()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0, x1, x2, padding=x3)", x => Sdpa(x, mask: x[3]), [Rand([2, 2, 3, 8]), Rand([2, 2, 4, 8]), Rand([2, 2, 4, 8]), PadEnd(4, 4, 1)]),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([1, 2, 7, 8]), Rand([1, 2, 4, 8]), Rand([1, 2, 4, 8])]));

        var q = Tensor.Parameter(Enumerable.Repeat(0.5f, 8).ToArray(), 1, 1, 2, 4);
        var kv = Tensor.Parameter(Enumerable.Repeat(0.25f, 12).ToArray(), 1, 1, 3, 4);
        var output = Tensor.ScaledDotProductAttention(q, kv, kv, keyPaddingMask: Tensor.Ones(1, 3));
        Assert.All(output.ToArray(), value => Assert.Equal(0f, value));
        output.Sum().Backward();
        Assert.All(q.Grad!.ToArray(), value => Assert.Equal(0f, value));
        Assert.All(kv.Grad!.ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void ScaledDotProductAttention_LongSequencesAcrossBlocks_MatchesTorch()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True)", x => Sdpa(x, causal: true), [Rand([1, 2, 300, 16]), Rand([1, 1, 300, 16]), Rand([1, 1, 300, 16])], 2e-5f, 2e-4f),
            new OpCase("ref_seq.sdpa(x0, x1, x2, causal=True, padding=x3)", x => Sdpa(x, causal: true, mask: x[3]), [Rand([2, 1, 70, 8]), Rand([2, 1, 300, 8]), Rand([2, 1, 300, 5]), PadEnd(300, 0, 100)], 2e-5f, 2e-4f),
            new OpCase("ref_seq.sdpa(x0, x1, x2)", x => Sdpa(x), [Rand([1, 1, 65, 9]), Rand([1, 1, 129, 9]), Rand([1, 1, 129, 9])], 2e-5f, 2e-4f));
    }

    [Fact]
    public void ScaledDotProductAttention_LargeLogits_StaysFiniteAndMatchesTorch()
    {
        Against(
            new OpCase("ref_seq.sdpa(x0 * 40, x1, x2, causal=True)", x => Sdpa([x[0] * 40f, x[1], x[2]], causal: true), [Rand([1, 2, 80, 8]), Rand([1, 2, 80, 8]), Rand([1, 2, 80, 8])], 1e-4f, 1e-3f),
            new OpCase("ref_seq.sdpa(x0, x1, x2, scale=100.0)", x => Sdpa(x, scale: 100f), [Rand([1, 1, 6, 4]), Rand([1, 1, 70, 4]), Rand([1, 1, 70, 4])], 1e-4f, 1e-3f));
    }

    [Fact]
    public void ScaledDotProductAttention_ShapeMismatch_NamesOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Zeros(1, 4, 3, 8), Tensor.Zeros(1, 3, 3, 8), Tensor.Zeros(1, 3, 3, 8)));
        Assert.Contains("scaled_dot_product_attention", ex.Message);
        Assert.Contains("(1, 4, 3, 8)", ex.Message);
        Assert.Contains("(1, 3, 3, 8)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Zeros(1, 2, 3, 8), Tensor.Zeros(1, 2, 3, 4), Tensor.Zeros(1, 2, 3, 4)));
        Assert.Contains("(1, 2, 3, 4)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Zeros(1, 2, 3, 8), Tensor.Zeros(1, 2, 3, 8), Tensor.Zeros(1, 2, 5, 8)));
        Assert.Contains("(1, 2, 5, 8)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Zeros(2, 2, 3, 8), Tensor.Zeros(2, 2, 3, 8), Tensor.Zeros(2, 2, 3, 8), keyPaddingMask: Tensor.Zeros(2, 4)));
        Assert.Contains("(2, 4)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ScaledDotProductAttention(Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 3, 8)));
        Assert.Contains("(2, 3, 8)", ex.Message);
    }
}
