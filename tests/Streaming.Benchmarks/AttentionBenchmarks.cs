using BenchmarkDotNet.Attributes;
using Streaming.Tensors;

namespace Streaming.Benchmarks;

/// <summary>Fused attention at a decoder-LM training shape: B=8, H=8, T=256, D=64.</summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    const int B = 8, H = 8, T = 256, D = 64;

    Tensor q = null!, k = null!, v = null!, gradOut = null!;

    [Params(false, true)]
    public bool Causal { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        Tensor Random() => Tensor.FromArray(Enumerable.Range(0, B * H * T * D).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), B, H, T, D);
        q = Random();
        k = Random();
        v = Random();
        gradOut = Random();
        q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
    }

    [Benchmark]
    public Tensor Forward()
    {
        using var _ = GradMode.Disable();
        return Tensor.ScaledDotProductAttention(q, k, v, Causal);
    }

    [Benchmark]
    public Tensor? ForwardBackward()
    {
        q.ZeroGrad();
        k.ZeroGrad();
        v.ZeroGrad();
        Tensor.ScaledDotProductAttention(q, k, v, Causal).Backward(gradOut);
        return q.Grad;
    }
}
