using Streaming.Tensors.Optim;
using Streaming.Tensors.Tests.Reference;

namespace Streaming.Tensors.Tests.Optim;

public class AdamWTests
{
    [Theory]
    [InlineData(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f)]
    [InlineData(3e-3f, 0.8f, 0.95f, 1e-6f, 0.1f)]
    [InlineData(1e-1f, 0.9f, 0.999f, 1e-8f, 0f)]
    public void AdamW_FiveSteps_MatchesTorchOptim(float lr, float beta1, float beta2, float eps, float weightDecay)
    {
        var rng = new Random(7);
        const int steps = 5, n = 12;
        var w0 = OpCheck.RandomData(rng, n);
        var grads = OpCheck.RandomData(rng, steps * n);
        var w = Tensor.Parameter((float[])w0.Clone(), 3, 4);
        var adam = new AdamW([("w", w)], lr, beta1, beta2, eps, weightDecay);
        for (int s = 0; s < steps; s++)
        {
            w.Grad = new Tensor(grads.AsSpan(s * n, n).ToArray(), [3, 4]);
            adam.Step();
        }
        string Num(float v) => TorchOracle.Format(v);
        var expected = TorchOracle.Run(new TorchOracle.Case(
            $"ref_optim.adamw(x0, x1, {Num(lr)}, {Num(beta1)}, {Num(beta2)}, {Num(eps)}, {Num(weightDecay)})",
            [new OracleInput(w0, [3, 4], Grad: false), new OracleInput(grads, [steps, 3, 4], Grad: false)], Float32: true));
        OpCheck.Close("adamw weights", w.ToArray(), expected.Output, 1e-6f, 1e-5f);
    }

    [Fact]
    public void AdamW_NoDecayByName_LeavesThoseWeightsUndecayed()
    {
        var decayed = Tensor.Parameter([1f, 1f], 2);
        var kept = Tensor.Parameter([1f, 1f], 2);
        var adam = new AdamW([("w", decayed), ("norm.weight", kept)], learningRate: 0.1f, weightDecay: 0.5f, noDecay: n => n.StartsWith("norm", StringComparison.Ordinal));
        decayed.Grad = Tensor.Zeros(2);
        kept.Grad = Tensor.Zeros(2);
        adam.Step();
        Assert.Equal(0.95f, decayed.ToArray()[0], 6);
        Assert.Equal(1f, kept.ToArray()[0], 6);
    }

    [Fact]
    public void AdamW_FrozenParameters_GetNoState()
    {
        var frozen = Tensor.FromArray([1f, 2f], 2);
        var adam = new AdamW([("frozen", frozen)]);
        frozen.Grad = Tensor.Ones(2);
        adam.Step();
        Assert.Equal([1f, 2f], frozen.ToArray());
    }

    [Fact]
    public void ClipNorm_MatchesTorch()
    {
        var rng = new Random(3);
        var data = OpCheck.RandomData(rng, 8, 5f);
        var a = Tensor.Parameter(new float[4], 4);
        var b = Tensor.Parameter(new float[4], 4);
        a.Grad = new Tensor(data[..4], [4]);
        b.Grad = new Tensor(data[4..], [4]);
        float total = GradientClipping.ClipNorm([("a", a), ("b", b)], 1.5f);
        var expected = TorchOracle.Run(new TorchOracle.Case("ref_optim.clip(x0, 1.5)", [new OracleInput(data, [2, 4], Grad: false)], Float32: true));
        OpCheck.Close("clipped gradients", [.. a.Grad.ToArray(), .. b.Grad.ToArray()], expected.Output, 1e-6f, 1e-5f);
        Assert.Equal(Math.Sqrt(data.Sum(v => (double)v * v)), total, 4);
    }

    [Fact]
    public void WarmupCosine_RisesLinearlyThenDecaysToTheFloor()
    {
        var schedule = new LearningRateSchedule(1f, 0.1f, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(0.1f, schedule.At(0), 6);
        Assert.Equal(1f, schedule.At(9), 6);
        Assert.Equal(1f, schedule.At(10), 6);
        Assert.Equal(0.55f, schedule.At(60), 5);
        Assert.Equal(0.1f, schedule.At(110), 6);
        Assert.Equal(0.1f, schedule.At(1000), 6);
    }

    [Fact]
    public void State_LoadedIntoAFreshOptimizer_ContinuesExactlyAsTheFirst()
    {
        float[] grad = [0.3f, -1.2f, 0.05f, 2f];
        var a = Tensor.Parameter([1f, 2f, 3f, 4f], 2, 2);
        var first = new AdamW([("w", a)], learningRate: 0.1f);
        for (int s = 0; s < 3; s++) { a.Grad = new Tensor((float[])grad.Clone(), [2, 2]); first.Step(); }

        var b = Tensor.Parameter(a.ToArray(), 2, 2);
        var second = new AdamW([("w", b)], learningRate: 0.1f);
        second.LoadState(first.State(), first.StepCount);
        a.Grad = new Tensor((float[])grad.Clone(), [2, 2]);
        b.Grad = new Tensor((float[])grad.Clone(), [2, 2]);
        first.Step();
        second.Step();
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(4, second.StepCount);
    }

    [Fact]
    public void LoadState_MissingOrMisSizedMoments_NamesEachProblem()
    {
        var adam = new AdamW([("w", Tensor.Parameter([1f, 2f], 2)), ("b", Tensor.Parameter([0f], 1))]);
        var state = new Dictionary<string, Tensor> { ["w.exp_avg"] = Tensor.Zeros(3), ["w.exp_avg_sq"] = Tensor.Zeros(2) };
        var message = Assert.Throws<InvalidDataException>(() => adam.LoadState(state, 1)).Message;
        Assert.Contains("size mismatch: w.exp_avg has 3 values, the parameter 2", message, StringComparison.Ordinal);
        Assert.Contains("missing: b.exp_avg", message, StringComparison.Ordinal);
        Assert.Contains("missing: b.exp_avg_sq", message, StringComparison.Ordinal);
    }
}
