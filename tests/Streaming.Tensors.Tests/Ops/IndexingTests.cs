using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class IndexingTests
{
    [Fact]
    public void Embedding_MatchesTorch_RepeatedIdsAccumulate()
    {
        int[] ids = [3, 0, 3, 4, 1, 3];
        Against(
            new OpCase("F.embedding(x1, x0)", x => Tensor.Embedding(x[0], ids, 2, 3), [Rand([5, 4]), OracleInput.Long(ids, 2, 3)]),
            new OpCase("F.embedding(x1, x0)", x => Tensor.Embedding(x[0], ids), [Rand([5, 4]), OracleInput.Long(ids, 6)]),
            new OpCase("F.embedding(x1, x0)", x => Tensor.Embedding(x[0], [2], 1, 1), [Rand([3, 1]), OracleInput.Long([2], 1, 1)]),
            new OpCase("F.embedding(x1, x0.t())", x => Tensor.Embedding(x[0].T, ids, 3, 2), [Rand([4, 5]), OracleInput.Long(ids, 3, 2)]));
    }

    [Fact]
    public void IndexSelect_MatchesTorch_AlongEachDim()
    {
        Against(
            new OpCase("torch.index_select(x0, 0, x1)", x => x[0].IndexSelect(0, [2, 0, 2]), [Rand([3, 4]), OracleInput.Long([2, 0, 2], 3)]),
            new OpCase("torch.index_select(x0, 1, x1)", x => x[0].IndexSelect(1, [3, 1]), [Rand([2, 4, 3]), OracleInput.Long([3, 1], 2)]),
            new OpCase("torch.index_select(x0, 2, x1)", x => x[0].IndexSelect(-1, [0, 0, 2, 1]), [Rand([2, 4, 3]), OracleInput.Long([0, 0, 2, 1], 4)]),
            new OpCase("torch.index_select(x0, 0, x1)", x => x[0].IndexSelect(0, [0]), [Rand([1, 5]), OracleInput.Long([0], 1)]),
            new OpCase("torch.index_select(x0.t(), 1, x1)", x => x[0].T.IndexSelect(1, [4, 1]), [Rand([5, 3]), OracleInput.Long([4, 1], 2)]));
    }

    [Fact]
    public void Gather_MatchesTorch_AlongEachDim()
    {
        int[] rows = [1, 0, 2, 2, 1, 0];
        int[] cols = [3, 3, 0, 1, 2, 0, 1, 1];
        int[] depth = [1, 0, 0, 1, 1, 1];
        Against(
            new OpCase("torch.gather(x0, 0, x1)", x => x[0].Gather(0, rows, [2, 3]), [Rand([3, 4]), OracleInput.Long(rows, 2, 3)]),
            new OpCase("torch.gather(x0, 1, x1)", x => x[0].Gather(1, cols, [2, 4]), [Rand([3, 4]), OracleInput.Long(cols, 2, 4)]),
            new OpCase("torch.gather(x0, -1, x1)", x => x[0].Gather(-1, depth, [3, 1, 2]), [Rand([3, 2, 2]), OracleInput.Long(depth, 3, 1, 2)]),
            new OpCase("torch.gather(x0.t(), 1, x1)", x => x[0].T.Gather(1, [2, 0, 1, 1], [4, 1]), [Rand([3, 4]), OracleInput.Long([2, 0, 1, 1], 4, 1)]));
    }

    [Fact]
    public void MaskedFill_BroadcastMasks_MatchTorch()
    {
        var rowMask = new OracleInput([0f, 1f, 0f, 1f], [1, 4], Grad: false);
        var colMask = new OracleInput([1f, 0f, 0f], [3, 1], Grad: false);
        var fullMask = new OracleInput([1f, 0f, 0f, 1f, 1f, 0f], [2, 3], Grad: false);
        var scalarMask = new OracleInput([1f], [], Grad: false);
        Against(
            new OpCase("x0.masked_fill(x1 != 0, -5.0)", x => x[0].MaskedFill(x[1], -5f), [Rand([3, 4]), rowMask]),
            new OpCase("x0.masked_fill(x1 != 0, 2.5)", x => x[0].MaskedFill(x[1], 2.5f), [Rand([2, 3, 4]), colMask]),
            new OpCase("x0.masked_fill(x1 != 0, 0.0)", x => x[0].MaskedFill(x[1], 0f), [Rand([2, 3]), fullMask]),
            new OpCase("x0.masked_fill(x1 != 0, 7.0)", x => x[0].MaskedFill(x[1], 7f), [Rand([2, 2]), scalarMask]),
            new OpCase("x0.t().masked_fill(x1 != 0, -1.0)", x => x[0].T.MaskedFill(x[1], -1f), [Rand([4, 3]), colMask]),
            new OpCase("x0.masked_fill(x1.t() != 0, 1.0)", x => x[0].MaskedFill(x[1].T, 1f), [Rand([3, 2]), fullMask]));
    }

    [Fact]
    public void Indexing_GradientsMatchFiniteDifferences()
    {
        var x = Tensor.Parameter(RandomData(new Random(11), 12), 3, 4);
        FiniteDifference.Check("embedding", t => Tensor.Embedding(t[0], [2, 2, 0], 3), [x]);
        FiniteDifference.Check("index_select", t => t[0].IndexSelect(1, [3, 3, 0]), [x]);
        FiniteDifference.Check("gather", t => t[0].Gather(0, [2, 2, 0, 1], [1, 4]), [x]);
        FiniteDifference.Check("masked_fill", t => t[0].MaskedFill(Tensor.FromArray([1f, 0f, 0f, 1f], 4), 3f), [x]);
    }

    [Fact]
    public void Embedding_IdOutOfRange_NamesOpIdAndWeight()
    {
        var w = Tensor.Zeros(5, 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(w, [1, 5, 2]));
        Assert.Contains("embedding", ex.Message);
        Assert.Contains("id 5 at position 1", ex.Message);
        Assert.Contains("(5, 4)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(w, [-1]));
        var shape = Assert.Throws<ArgumentException>(() => Tensor.Embedding(w, [1, 2, 3], 2, 2));
        Assert.Contains("(2, 2)", shape.Message);
    }

    [Fact]
    public void IndexSelect_Gather_BadIndices_NameOpAndShapes()
    {
        var x = Tensor.Zeros(3, 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(1, [0, 4]));
        Assert.Contains("index_select", ex.Message);
        Assert.Contains("index 4", ex.Message);
        Assert.Contains("(3, 4)", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(0, [0, 3], [1, 2]));
        Assert.Contains("gather", ex.Message);
        Assert.Contains("index 3", ex.Message);
        var shape = Assert.Throws<ArgumentException>(() => x.Gather(0, [0, 0, 0, 0, 0], [1, 5]));
        Assert.Contains("gather", shape.Message);
        Assert.Contains("(1, 5)", shape.Message);
        Assert.Contains("(3, 4)", shape.Message);
        shape = Assert.Throws<ArgumentException>(() => x.Gather(0, [0, 0], [2]));
        Assert.Contains("rank", shape.Message);
    }

    [Fact]
    public void MaskedFill_MaskNotBroadcastable_NamesOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MaskedFill(Tensor.Zeros(2, 1, 3), 0f));
        Assert.Contains("masked_fill", ex.Message);
        Assert.Contains("(2, 1, 3)", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MaskedFill(Tensor.Zeros(2), 0f));
        Assert.Contains("(2)", ex.Message);
    }
}
