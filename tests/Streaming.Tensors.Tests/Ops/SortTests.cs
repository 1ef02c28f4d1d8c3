using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class SortTests
{
    static Tensor IndicesTensor(int[] indices, int[] shape) => Tensor.FromArray(indices.Select(i => (float)i).ToArray(), shape);

    [Fact]
    public void Sort_ValuesAndGradients_MatchTorch()
    {
        Against(
            new OpCase("torch.sort(x0, dim=-1, descending=True, stable=True)[0]", x => x[0].Sort(-1, descending: true).Values, [Rand([3, 7])]),
            new OpCase("torch.sort(x0, dim=0, stable=True)[0]", x => x[0].Sort(0).Values, [Rand([5, 4])]),
            new OpCase("torch.sort(x0, dim=1, descending=True, stable=True)[0]", x => x[0].Sort(1, descending: true).Values, [Rand([2, 6, 3])]),
            new OpCase("torch.sort(x0.t(), dim=-1, descending=True, stable=True)[0]", x => x[0].T.Sort(descending: true).Values, [Rand([4, 3])]),
            new OpCase("torch.sort(x0, dim=-1, descending=True, stable=True)[0]", x => x[0].Sort(descending: true).Values, [Rand([1])]),
            new OpCase("torch.sort(x0.softmax(-1), dim=-1, descending=True, stable=True)[0]", x => x[0].Softmax(-1).Sort(descending: true).Values, [Rand([2, 512], 3f)]));
    }

    [Fact]
    public void Sort_Indices_MatchTorch_TiesInOrder()
    {
        var ties = new OracleInput([0.5f, 1f, 0.5f, -2f, 1f, 0.5f], [2, 3], Grad: false);
        Against(
            new OpCase("torch.sort(x0, dim=-1, descending=True, stable=True)[1]", x => IndicesTensor(x[0].Sort(-1, true).Indices, x[0].Shape), [Rand([4, 9], grad: false)]),
            new OpCase("torch.sort(x0, dim=0, stable=True)[1]", x => IndicesTensor(x[0].Sort(0).Indices, x[0].Shape), [Rand([6, 2], grad: false)]),
            new OpCase("torch.sort(x0.reshape(-1), dim=0, descending=True, stable=True)[1]", x => IndicesTensor(x[0].Reshape(6).Sort(descending: true).Indices, [6]), [ties]),
            new OpCase("torch.sort(x0.reshape(-1), dim=0, stable=True)[1]", x => IndicesTensor(x[0].Reshape(6).Sort().Indices, [6]), [ties]));
    }

    [Fact]
    public void Sort_Descending_GradientReturnsToSourcePosition()
    {
        var x = Tensor.Parameter([0.1f, 0.7f, 0.2f], 3);
        var (values, indices) = x.Sort(descending: true);
        Assert.Equal([0.7f, 0.2f, 0.1f], values.ToArray());
        Assert.Equal([1, 2, 0], indices);
        values.Backward(Tensor.FromArray([1f, 10f, 100f], 3));
        Assert.Equal([100f, 1f, 10f], x.Grad!.ToArray());
    }

    [Fact]
    public void Sort_NaNIsLargest_AndBadDimNamesOp()
    {
        var (values, _) = Tensor.FromArray([1f, float.NaN, -1f], 3).Sort();
        Assert.Equal(-1f, values.ToArray()[0]);
        Assert.True(float.IsNaN(values.ToArray()[2]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Sort(2));
        Assert.Contains("sort", ex.Message);
    }
}
