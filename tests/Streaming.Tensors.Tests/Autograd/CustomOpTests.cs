namespace Streaming.Tensors.Tests.Autograd;

public class CustomOpTests
{
    /// <summary>x * y with a hand-written backward, as a model project would define an op.</summary>
    static Tensor Product(Tensor x, Tensor y)
    {
        var result = Tensor.FromArray(x.ToArray().Zip(y.ToArray(), (a, b) => a * b).ToArray(), (int[])x.Shape.Clone());
        return Tensor.CustomOp("product", result, [x, y], g => [g.Mul(y.Detach()), y.RequiresGrad ? g.Mul(x.Detach()) : null]);
    }

    [Fact]
    public void CustomOp_GradientsMatchTheBuiltInOp_AndAccumulate()
    {
        var x = Tensor.Parameter([1f, -2f, 3f], 3);
        var y = Tensor.Parameter([0.5f, 4f, -1f], 3);
        var z = Product(x, y);
        Assert.Equal("product", z.Op);
        z.Add(Product(x, y)).Sum().Backward();
        var builtInX = Tensor.Parameter([1f, -2f, 3f], 3);
        var builtInY = Tensor.Parameter([0.5f, 4f, -1f], 3);
        builtInX.Mul(builtInY).Mul(2f).Sum().Backward();
        Assert.Equal(builtInX.Grad!.ToArray(), x.Grad!.ToArray());
        Assert.Equal(builtInY.Grad!.ToArray(), y.Grad!.ToArray());
    }

    [Fact]
    public void CustomOp_NullGradient_LeavesInputUntouched_AndNoGradRecordsNothing()
    {
        var x = Tensor.Parameter([1f, 2f], 2);
        var y = Tensor.FromArray([3f, 4f], 2);
        Product(x, y).Sum().Backward();
        Assert.Equal([3f, 4f], x.Grad!.ToArray());
        Assert.Null(y.Grad);
        using (GradMode.Disable()) Assert.False(Product(x, y).RequiresGrad);
    }

    [Fact]
    public void CustomOp_Misuse_NamesTheOp()
    {
        var x = Tensor.Parameter([1f, 2f], 2);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.CustomOp("twice", x, [x], g => [g]));
        Assert.Contains("twice", ex.Message);
        var wrongCount = Tensor.CustomOp("pair", Tensor.Zeros(2), [x], g => [g, g]);
        var invalid = Assert.Throws<InvalidOperationException>(() => wrongCount.Sum().Backward());
        Assert.Contains("pair backward: 2 gradients for 1 inputs", invalid.Message);
        var wrongShape = Tensor.CustomOp("shape", Tensor.Zeros(2), [x], _ => [Tensor.Zeros(3)]);
        Assert.Throws<InvalidOperationException>(() => wrongShape.Sum().Backward());
    }
}
