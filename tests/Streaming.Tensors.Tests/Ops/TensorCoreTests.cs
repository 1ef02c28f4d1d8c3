namespace Streaming.Tensors.Tests.Ops;

// The tensor itself: construction, layout, element access, copies and views. Exact values throughout.
public class TensorCoreTests
{
    [Fact]
    public void Construction_ChecksDataLengthAndDims()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Contains("(2, 2)", ex.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
        Assert.Equal(0, Tensor.Zeros(3, 0).Size);
        Assert.Equal(1, Tensor.Scalar(5f).Size);
        Assert.Equal(0, Tensor.Scalar(5f).Rank);
        Assert.Equal([0f, 1f, 2f, 3f], Tensor.Arange(4).ToArray());
        Assert.Equal([2.5f, 2.5f], Tensor.Full(2.5f, 2).ToArray());
        Assert.True(Tensor.Parameter([1f], 1).RequiresGrad);
        Assert.False(Tensor.Ones(1).RequiresGrad);
    }

    [Fact]
    public void IsContiguous_IgnoresSizeOneDims_AndSpanNeedsIt()
    {
        var t = Tensor.FromArray([.. Enumerable.Range(0, 6).Select(i => (float)i)], 2, 3);
        Assert.True(t.IsContiguous);
        Assert.True(t.Unsqueeze(1).IsContiguous);
        Assert.True(t.Narrow(0, 1, 1).IsContiguous);
        Assert.Equal([3f, 4f, 5f], t.Narrow(0, 1, 1).Span.ToArray());
        Assert.False(t.T.IsContiguous);
        Assert.False(t.Narrow(1, 0, 2).IsContiguous);
        Assert.False(Tensor.Ones(3, 1).Expand(3, 2).IsContiguous);
        var ex = Assert.Throws<InvalidOperationException>(() => t.T.Span.Length);
        Assert.Contains("(3, 2)", ex.Message);
    }

    [Fact]
    public void Indexer_ReadsAndWritesThroughViews_WithNegativeIndices()
    {
        var t = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4);
        Assert.Equal(6f, t[1, 2]);
        Assert.Equal(11f, t[-1, -1]);
        Assert.Equal(6f, t.T[2, 1]);
        Assert.Equal(7f, t.Narrow(1, 2, 2)[1, 1]);
        t.T[0, 2] = 100f;
        Assert.Equal(100f, t[2, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => t[3, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => t[0, -5]);
        Assert.Throws<ArgumentException>(() => t[0]);
    }

    [Fact]
    public void Item_OnlyForOneElement()
    {
        Assert.Equal(3f, Tensor.Scalar(3f).Item());
        Assert.Equal(5f, Tensor.Arange(6).Reshape(2, 3).Narrow(1, 2, 1).Narrow(0, 1, 1).Item());
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2).Item());
        Assert.Contains("(2)", ex.Message);
    }

    [Fact]
    public void DetachSharesStorage_CloneCopies_NeitherHasHistory()
    {
        var p = Tensor.Parameter([1f, 2f, 3f, 4f], 2, 2);
        var y = p.T * 2f;
        var detached = y.Detach();
        Assert.Same(y.Data, detached.Data);
        Assert.False(detached.RequiresGrad);
        Assert.Equal("leaf", detached.Op);
        var clone = p.T.Clone();
        Assert.NotSame(p.Data, clone.Data);
        Assert.True(clone.IsContiguous);
        Assert.False(clone.RequiresGrad);
        Assert.Equal([1f, 3f, 2f, 4f], clone.ToArray());
    }

    [Fact]
    public void ToArray_OfViews_IsRowMajorOverTheView()
    {
        var t = Tensor.FromArray([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 3, 4);
        Assert.Equal([0f, 12f, 4f, 16f, 8f, 20f], t.Permute(2, 1, 0).Narrow(0, 0, 1).ToArray());
        Assert.Equal([5f, 5f, 5f], Tensor.Full(5f, 1).Expand(3).ToArray());
        Assert.Equal([1f, 2f, 1f, 2f], Tensor.FromArray([1f, 2f], 1, 2).Expand(2, 2).ToArray());
        Assert.Equal([13f, 17f, 21f], t.Select(0, 1).Select(1, 1).ToArray());
        Assert.Empty(t.Narrow(2, 1, 0).ToArray());
    }

    [Fact]
    public void Dim_NormalizesNegativeAndRejectsOutOfRange()
    {
        var t = Tensor.Zeros(2, 3, 4);
        Assert.Equal(2, t.Dim(-1));
        Assert.Equal(0, t.Dim(-3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => t.Dim(3));
        Assert.Contains("(2, 3, 4)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Dim(-4));
    }

    [Fact]
    public void ToString_ShowsShapeOpAndSmallValues()
    {
        var p = Tensor.Parameter([1f, 2.5f], 2);
        Assert.Equal("Tensor(2) [1, 2.5]", p.ToString());
        Assert.Equal("Tensor(2) op=mul_scalar [2, 5]", (p * 2f).ToString());
        Assert.Equal("Tensor(20)", Tensor.Zeros(20).ToString());
    }
}
