using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Autograd;

// Graph semantics of backward: accumulation, shared subexpressions, no-grad scopes and errors.
// Gradients here are sums of a handful of float32 products: atol 1e-5, rtol 1e-5.
public class AutogradTests
{
    const float Atol = 1e-5f;
    const float Rtol = 1e-5f;

    static Tensor Leaf(params float[] values) => Tensor.Parameter(values, values.Length);

    [Fact]
    public void Backward_TwiceOnLeaves_AccumulatesLikeTorch()
    {
        var x = Leaf(1f, -2f, 3f);
        (x * x).Sum().Backward();
        (x * 3f).Sum().Backward();
        OpCheck.Close("x.grad after two graphs", x.Grad!.ToArray(), [2f + 3f, -4f + 3f, 6f + 3f], Atol, Rtol);

        var y = (x * x).Sum();
        x.ZeroGrad();
        y.Backward();
        y.Backward();
        OpCheck.Close("x.grad after the same graph twice", x.Grad!.ToArray(), [4f, -8f, 12f], Atol, Rtol);
    }

    [Fact]
    public void Backward_GradientHandedToSeveralNodes_IsNeverAddedIntoInPlace()
    {
        // d = a + 2b hands its gradient g to c = a + b and to b; then c hands g on to a and b again. Interior nodes
        // hold the tensor they are handed (no copy), so b's second gradient must add into a new tensor: adding into g
        // in place would change the gradient c and a hold before c's rule reads it.
        var x = Leaf(1f, -2f);
        var a = x * 3f;
        var b = x * 5f;
        var c = a + b;
        var d = c + b;
        (d * d).Sum().Backward();
        // d = 13x, so d(sum d^2)/dx = 2 * 13x * 13
        OpCheck.Close("x.grad through a gradient shared by three nodes", x.Grad!.ToArray(), [338f, -676f], Atol, Rtol);

        var y = Leaf(0.5f, 1.5f);
        var u = y.Reshape(2, 1);
        (u + u).Sum().Backward();
        (u * 2f).Sum().Backward();
        OpCheck.Close("y.grad through a view handed the same gradient twice, then a second graph", y.Grad!.ToArray(), [4f, 4f], Atol, Rtol);
    }

    [Fact]
    public void Backward_TwiceOnLeaves_MatchesTorchRetainGraph()
    {
        float[] x = [0.5f, -1.5f, 2f, 0.25f];
        var ours = Tensor.Parameter((float[])x.Clone(), 2, 2);
        var loss = (ours.Exp() * ours.T).Sum();
        loss.Backward();
        loss.Backward();
        var torch = TorchOracle.Run(new TorchOracle.Case(
            "(lambda y: (y.backward(retain_graph=True), y)[1])((x0.exp() * x0.t()).sum())", [new OracleInput(x, [2, 2])], [1f]));
        Close("x.grad after backward twice", ours.Grad!.ToArray(), torch.Grads[0]!, Atol, Rtol);
    }

    [Fact]
    public void Backward_InteriorGradientsAreFreed_LeafGradientsKept()
    {
        var x = Leaf(1f, 2f);
        var h = x * 2f;
        var y = (h * h).Sum();
        y.Backward();
        Assert.Null(h.Grad);
        Assert.Null(y.Grad);
        Assert.NotNull(x.Grad);
    }

    [Fact]
    public void Diamond_TensorUsedTwiceInOneGraph_MatchesTorch()
    {
        Against(
            new OpCase("torch.sigmoid(x0.exp()) * x0.exp() + x0.exp()", x =>
            {
                var a = x[0].Exp();
                return a.Sigmoid() * a + a;
            }, [Rand([3, 4])], Atol, Rtol),
            new OpCase("(lambda h: h.t() @ h + h.sum(0))(x0 * 2)", x =>
            {
                var h = x[0] * 2f;
                return h.T.MatMul(h) + h.Sum(0);
            }, [Rand([3, 3])], Atol, Rtol),
            new OpCase("(lambda a: (lambda b: a * b + torch.tanh(b) * a)(a.exp()))(x0 * x1)", x =>
            {
                var a = x[0] * x[1];
                var b = a.Exp();
                return a * b + b.Tanh() * a;
            }, [Rand([2, 3]), Rand([3])], Atol, Rtol),
            new OpCase("torch.cat([x0, x0.t(), x0 * x0], 0).sum(0) * x0.sum(0)", x =>
                Tensor.Concat([x[0], x[0].T, x[0] * x[0]], 0).Sum(0) * x[0].Sum(0), [Rand([2, 2])], Atol, Rtol),
            new OpCase("(lambda v: v.narrow(0, 0, 2) * v.narrow(0, 1, 2))(x0.reshape(-1))", x =>
            {
                var v = x[0].Reshape(-1);
                return v.Narrow(0, 0, 2) * v.Narrow(0, 1, 2);
            }, [Rand([3, 1])], Atol, Rtol));
    }

    [Fact]
    public void Diamond_DeepSharedNode_GetsAllContributionsBeforeItsBackwardRuns()
    {
        var x = Leaf(0.3f, -0.7f);
        var a = x.Tanh();
        var b = a * 3f;
        var c = b.Exp() + a;
        var d = c * b + a.Sigmoid();
        d.Sum().Backward();
        var torch = TorchOracle.Run(new TorchOracle.Case(
            "(lambda a: (lambda b: (b.exp() + a) * b + torch.sigmoid(a))(a * 3))(torch.tanh(x0)).sum()",
            [new OracleInput([0.3f, -0.7f], [2])], [1f]));
        Close("x.grad", x.Grad!.ToArray(), torch.Grads[0]!, Atol, Rtol);
    }

    [Fact]
    public void GradModeDisable_RecordsNothing_AndRestoresOnDispose()
    {
        var x = Leaf(1f, 2f, 3f);
        Tensor inside, nested;
        using (GradMode.Disable())
        {
            Assert.False(GradMode.IsEnabled);
            inside = (x * x).Sum();
            using (GradMode.Disable()) nested = x.Exp();
            Assert.False(GradMode.IsEnabled);
            Assert.False(x.Narrow(0, 0, 2).RequiresGrad);
            Assert.False(x.MatMul(x).RequiresGrad);
            Assert.False(Tensor.Linear(x.Reshape(1, 3), x.Reshape(1, 3)).RequiresGrad);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(inside.RequiresGrad);
        Assert.False(nested.RequiresGrad);
        Assert.Equal(14f, inside.Item());
        var ex = Assert.Throws<InvalidOperationException>(() => inside.Backward());
        Assert.Contains("does not require gradients", ex.Message);
        Assert.True((x * x).Sum().RequiresGrad);
    }

    [Fact]
    public void GradModeDisable_IsPerThread()
    {
        using var _ = GradMode.Disable();
        bool otherThread = false;
        var thread = new Thread(() => otherThread = GradMode.IsEnabled);
        thread.Start();
        thread.Join();
        Assert.True(otherThread);
        Assert.False(GradMode.IsEnabled);
    }

    [Fact]
    public void RequiresGrad_FollowsInputs()
    {
        var p = Leaf(1f, 2f);
        var c = Tensor.FromArray([3f, 4f], 2);
        Assert.False((c * c).RequiresGrad);
        Assert.True((p * c).RequiresGrad);
        Assert.False(p.Detach().Exp().RequiresGrad);
        Assert.Equal("mul", (p * c).Op);
        Assert.Equal("leaf", p.Op);
    }

    [Fact]
    public void Backward_NonScalarWithoutGradient_Throws()
    {
        var x = Tensor.Parameter([1f, 2f, 3f, 4f], 2, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("(2, 2)", ex.Message);
        Assert.Contains("gradient", ex.Message);
        Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward(Tensor.Ones(4)));
        (x * 2f).Backward(Tensor.Ones(2, 2));
        Assert.Equal([2f, 2f, 2f, 2f], x.Grad!.ToArray());
        x.Sum().Reshape(1, 1).Backward();
        Assert.Equal([3f, 3f, 3f, 3f], x.Grad!.ToArray());
    }

    [Fact]
    public void Anomaly_NamesTheForwardOpWhereNaNFirstAppears()
    {
        var x = Leaf(-1f, 2f);
        using (Anomaly.Detect())
        {
            var scaled = x * 2f;
            var ex = Assert.Throws<AnomalyException>(() => scaled.Log());
            Assert.Contains("'log'", ex.Message);
            Assert.Contains("NaN", ex.Message);
            Assert.Contains("forward", ex.Message);
            var inf = Assert.Throws<AnomalyException>(() => Tensor.FromArray([100f], 1).Exp());
            Assert.Contains("'exp'", inf.Message);
            Assert.Contains("Inf", inf.Message);
        }
        Assert.False(Anomaly.IsEnabled);
        Assert.True(float.IsNaN(x.Log().ToArray()[0]));
    }

    [Fact]
    public void Anomaly_NamesTheBackwardOpWhereInfFirstAppears()
    {
        var x = Leaf(0f, 1f);
        var loss = (x.Sqrt() * 3f).Sum();
        using (Anomaly.Detect())
        {
            var ex = Assert.Throws<AnomalyException>(() => loss.Backward());
            Assert.Contains("backward of op 'sqrt'", ex.Message);
            Assert.Contains("Inf", ex.Message);
        }
        x.ZeroGrad();
        var again = (x.Sqrt() * 3f).Sum();
        again.Backward();
        Assert.True(float.IsPositiveInfinity(x.Grad!.ToArray()[0]));
        Assert.Equal(1.5f, x.Grad!.ToArray()[1], 1e-6f);
    }

    [Fact]
    public void Anomaly_AfterAFailedBackward_TheGraphCanRunAgainWithoutStaleGradients()
    {
        var x = Leaf(0f, 4f);
        var h = x * 1f;
        var loss = (h.Sqrt() + h).Sum();
        using (Anomaly.Detect()) Assert.Throws<AnomalyException>(() => loss.Backward());
        x.ZeroGrad();
        loss.Backward();
        Assert.Equal(1.25f, x.Grad!.ToArray()[1], 1e-6f);
    }

    [Fact]
    public void Anomaly_IsPerThread()
    {
        using var _ = Anomaly.Detect();
        bool otherThread = true;
        var thread = new Thread(() => otherThread = Anomaly.IsEnabled);
        thread.Start();
        thread.Join();
        Assert.False(otherThread);
        Assert.True(Anomaly.IsEnabled);
    }
}
