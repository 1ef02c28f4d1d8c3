using BenchmarkDotNet.Attributes;
using Streaming.Cli.Bench;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Benchmarks;

/// <summary>
/// The whole LLaMA-style block of <c>streaming bench engine</c> (d=512, 8 heads, ffn 1376, T=256): inference forward
/// on the allocation-free kernels (the memory diagnoser should show no allocations) and a training step through
/// autograd, at batch 1 and 8.
/// </summary>
[MemoryDiagnoser]
public class BlockBenchmarks
{
    const int T = 256, D = 512, H = 8, Ffn = 1376;

    LlamaBlock block = null!;
    Tensor x = null!, output = null!;

    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        block = new LlamaBlock(Batch, T, D, H, Ffn, seed: 0);
        x = Init.Normal(new Random(1), 0f, 1f, Batch, T, D);
        output = Tensor.Zeros(Batch, T, D);
        block.CheckInferenceMatchesAutograd(x, output);
    }

    [Benchmark]
    public Tensor InferenceForward()
    {
        block.Infer(x, output);
        return output;
    }

    [Benchmark]
    public void TrainingForwardBackward() => block.ForwardBackward(x);
}
