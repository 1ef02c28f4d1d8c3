using System.Diagnostics;
using Streaming.Cli.Peers;
using Streaming.Tensors;
using static System.FormattableString;

namespace Streaming.Cli.Bench;

/// <summary>
/// sgemm GFLOP/s (C = A @ B, row-major, no transposes) of <see cref="Gemm"/> against OpenBLAS called in-process and
/// PyTorch's torch.matmul in a peer process, on 1 and 2 threads. The machine is shared, so ours and OpenBLAS alternate
/// batch by batch (each after 10 ms of untimed calls), the peer runs between our rounds, and each figure is the median of
/// all its batches.
/// </summary>
public static class GemmBench
{
    /// <summary>(M, K, N): a small layer, a mid-size one, the classic cube, a short wide batch and a matrix-vector product.</summary>
    static readonly (int M, int K, int N)[] Shapes = [(64, 512, 512), (256, 1024, 1024), (1024, 1024, 1024), (32, 4096, 4096), (1, 4096, 4096)];

    static readonly int[] ThreadCounts = [1, 2];

    /// <summary>OpenBLAS's idle workers spin for about 0.1 s after a call (THREAD_TIMEOUT 2^28 cycles); timing ours
    /// before they park would charge their spinning to us.</summary>
    static readonly TimeSpan OpenBlasSettle = TimeSpan.FromMilliseconds(200);

    static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(10);

    public static IEnumerable<BenchResult> Run(bool quick)
    {
        int rounds = quick ? 1 : 3, batches = quick ? 3 : 5;
        double batchSeconds = quick ? 0.02 : 0.05;
        var ours = new Dictionary<(int, int), List<double>>();
        var blas = new Dictionary<(int, int), List<double>>();
        var torch = new Dictionary<(int Shape, int Threads, PeerThreading Setting), List<double>>();
        var operands = Shapes.Select(s => Operands.Random(s.M, s.K, s.N)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            foreach (int threads in ThreadCounts)
            {
                foreach (var setting in PeerThreading.WaitPolicies)
                    foreach (var (shape, rate) in Torch(threads, batches, setting))
                    {
                        if (!torch.TryGetValue((shape, threads, setting), out var list)) torch[(shape, threads, setting)] = list = [];
                        list.Add(rate);
                    }
                for (int s = 0; s < Shapes.Length; s++)
                {
                    var x = operands[s];
                    Action gemm = () => Gemm.Sgemm(false, false, x.M, x.N, x.K, 1f, x.A, 0, x.K, x.B, 0, x.N, 0f, x.C, 0, x.N, threads);
                    Action? openBlas = OpenBlas.IsAvailable
                        ? () => OpenBlas.Sgemm(false, false, x.M, x.N, x.K, 1f, x.A, 0, x.K, x.B, 0, x.N, 0f, x.C, 0, x.N, threads)
                        : null;
                    int oursCalls = Calibrate(gemm, batchSeconds);
                    int blasCalls = openBlas is null ? 0 : Calibrate(openBlas, batchSeconds);
                    for (int b = 0; b < batches; b++)
                    {
                        if (openBlas is not null) Thread.Sleep(OpenBlasSettle);
                        Warm(gemm);
                        Samples(ours, s, threads).Add(Rate(gemm, oursCalls, x.Flops));
                        if (openBlas is null) continue;
                        Warm(openBlas);
                        Samples(blas, s, threads).Add(Rate(openBlas, blasCalls, x.Flops));
                    }
                }
            }
        }
        foreach (int threads in ThreadCounts)
        {
            for (int s = 0; s < Shapes.Length; s++)
            {
                var (m, k, n) = Shapes[s];
                string name = $"sgemm {m}x{k}x{n} t{threads}";
                double value = Median(ours[(s, threads)]);
                yield return blas.TryGetValue((s, threads), out var b)
                    ? new BenchResult(name, "GFLOP/s", value, "openblas", Median(b))
                    : new BenchResult(name, "GFLOP/s", value);
                var peer = torch.Where(t => t.Key.Shape == s && t.Key.Threads == threads)
                    .Select(t => new PeerBest(Median(t.Value), t.Key.Setting)).MaxBy(b => b.Value);
                if (peer is not null)
                    yield return new BenchResult($"{name} vs torch", "GFLOP/s", value, peer.Peer("torch"), peer.Value);
            }
        }
    }

    /// <summary>torch.matmul GFLOP/s per shape index, or nothing where Python or PyTorch is missing.</summary>
    static List<(int Shape, double Rate)> Torch(int threads, int batches, PeerThreading setting)
    {
        var args = new List<string> { Invariant($"{threads}"), Invariant($"{batches}") };
        args.AddRange(Shapes.Select(s => Invariant($"{s.M},{s.K},{s.N}")));
        var rates = new List<(int, double)>();
        try
        {
            var doc = PythonPeer.Run("matmul_peer.py", setting, [.. args]);
            var results = doc["results"]!.AsArray();
            for (int s = 0; s < Shapes.Length; s++) rates.Add((s, results[s]!["gflops"]!.GetValue<double>()));
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"gemm bench: no torch peer ({e.Message})");
        }
        return rates;
    }

    /// <summary>Warms up (JIT, packing buffers, worker threads) and returns how many calls fill one batch.</summary>
    static int Calibrate(Action gemm, double batchSeconds)
    {
        gemm();
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < batchSeconds)
        {
            gemm();
            calls++;
        }
        return Math.Max(1, calls);
    }

    /// <summary>
    /// Runs the product untimed for <see cref="WarmUp"/> before a timed batch: after the settling pause the cores are
    /// idle and the first few milliseconds run slower (measured: 256x1024x1024 on 2 threads, 147-159 GFLOP/s timed
    /// straight after the pause against 164-168 after 10 ms of calls), which would charge whoever runs first.
    /// </summary>
    static void Warm(Action gemm)
    {
        long start = Stopwatch.GetTimestamp();
        do gemm();
        while (Stopwatch.GetElapsedTime(start) < WarmUp);
    }

    static double Rate(Action gemm, int calls, double flops)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) gemm();
        return flops * calls / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9;
    }

    static List<double> Samples(Dictionary<(int, int), List<double>> samples, int shape, int threads)
    {
        if (!samples.TryGetValue((shape, threads), out var list)) samples[(shape, threads)] = list = [];
        return list;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    sealed record Operands(int M, int K, int N, float[] A, float[] B, float[] C)
    {
        public double Flops => 2.0 * M * K * N;

        public static Operands Random(int m, int k, int n)
        {
            var rng = new System.Random(m * 7919 + k * 31 + n);
            var a = new float[m * k];
            var b = new float[k * n];
            for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
            for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() * 2 - 1);
            return new Operands(m, k, n, a, b, new float[m * n]);
        }
    }
}
