using BenchmarkDotNet.Attributes;
using Streaming.Tensors;

namespace Streaming.Benchmarks;

/// <summary>sgemm C = A @ B (row-major, no transposes): ours against OpenBLAS, same operands and thread count.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    float[] a = [], b = [], c = [];
    int m, k, n;

    /// <summary>(M, K, N) as "MxKxN".</summary>
    [Params("64x512x512", "256x1024x1024", "1024x1024x1024", "32x4096x4096")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dims = Shape.Split('x').Select(int.Parse).ToArray();
        (m, k, n) = (dims[0], dims[1], dims[2]);
        var rng = new Random(1);
        a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        c = new float[m * n];
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => OpenBlas.Sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, Threads);

    [Benchmark]
    public void Sgemm() => Gemm.Sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, Threads);
}
