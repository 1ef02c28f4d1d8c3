using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class RopeTests
{
    static OracleInput Positions(params int[] p) => OracleInput.Long(p, p.Length);

    static OracleInput Range(int start, int count) => Positions(Enumerable.Range(start, count).ToArray());

    [Fact]
    public void ApplyRotaryEmbedding_StartPositions_MatchesTorch()
    {
        Against(
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], 0), [Rand([2, 3, 5, 8]), Range(0, 5)]),
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], 17), [Rand([1, 2, 4, 16]), Range(17, 4)]),
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], 4093), [Rand([1, 1, 3, 8]), Range(4093, 3)]),
            new OpCase("ref_seq.rope(x0, x1, 500000.0)", x => Tensor.ApplyRotaryEmbedding(x[0], 100, theta: 500000f), [Rand([2, 2, 3, 64]), Range(100, 3)]),
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], 9), [Rand([1, 1, 1, 2]), Range(9, 1)]),
            new OpCase("ref_seq.rope(x0.transpose(1, 2), x1)", x => Tensor.ApplyRotaryEmbedding(x[0].Transpose(1, 2), 2), [Rand([2, 6, 3, 12]), Range(2, 6)]));
    }

    [Fact]
    public void ApplyRotaryEmbedding_ExplicitAndPerBatchPositions_MatchesTorch()
    {
        Against(
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], [3, 0, 7, 7]), [Rand([2, 2, 4, 6]), Positions(3, 0, 7, 7)]),
            new OpCase("ref_seq.rope(x0, x1)", x => Tensor.ApplyRotaryEmbedding(x[0], [0, 1, 2, 40, 41, 42]), [Rand([2, 3, 3, 8]), Positions(0, 1, 2, 40, 41, 42)]),
            new OpCase("ref_seq.rope(x0, x1, 100.0)", x => Tensor.ApplyRotaryEmbedding(x[0], [5, 2000], theta: 100f), [Rand([1, 2, 2, 4]), Positions(5, 2000)]),
            new OpCase("ref_seq.rope(x0.transpose(1, 2), x1)", x => Tensor.ApplyRotaryEmbedding(x[0].Transpose(1, 2), [4, 5, 6, 0, 1, 2]),
                [Rand([2, 3, 2, 8]), Positions(4, 5, 6, 0, 1, 2)]));
    }

    [Fact]
    public void ApplyRotaryEmbedding_AtStartAndAfterTableGrows_MatchesPositionList()
    {
        var x = Tensor.FromArray(RandomData(new Random(3), 2 * 2 * 3 * 8), 2, 2, 3, 8);
        var small = Tensor.ApplyRotaryEmbedding(x, 1).ToArray();
        Tensor.ApplyRotaryEmbedding(x, 70000);
        Assert.Equal(small, Tensor.ApplyRotaryEmbedding(x, [1, 2, 3]).ToArray());
        Assert.Equal(x.ToArray(), Tensor.ApplyRotaryEmbedding(x, [0, 0, 0]).ToArray());
    }

    [Fact]
    public void ApplyRotaryEmbedding_BadArguments_NameOpAndShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.ApplyRotaryEmbedding(Tensor.Zeros(1, 2, 3, 5), 0));
        Assert.Contains("rotary_embedding", ex.Message);
        Assert.Contains("(1, 2, 3, 5)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ApplyRotaryEmbedding(Tensor.Zeros(2, 2, 3, 4), [0, 1]));
        Assert.Contains("(2, 2, 3, 4)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ApplyRotaryEmbedding(Tensor.Zeros(2, 3, 4), 0));
        Assert.Contains("(2, 3, 4)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.ApplyRotaryEmbedding(Tensor.Zeros(1, 1, 2, 4), [0, -1]));
    }
}
