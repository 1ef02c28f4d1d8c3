using System.Diagnostics;

namespace Streaming.Cli.Bench;

/// <summary>Wall-clock timing for the benchmarks: warm-up, then the median of the timed runs (robust to a noisy, shared machine).</summary>
public static class Timing
{
    /// <summary>
    /// The least time code runs before it is timed. The JIT compiles a method quickly first (tier 0), then, with tiered
    /// PGO, into an instrumented tier, and only then optimized, each step after 30 calls and a quiet period: one warm-up
    /// call timed unoptimized kernels (batch-1 prefill 174 ms against 86 ms warm), and a second of calls still caught
    /// part of them (69 ms against 47 ms).
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    static readonly TimeSpan WarmUpRound = TimeSpan.FromSeconds(0.5), MaxWarmUp = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="run"/> untimed for at least <see cref="WarmUp"/> and then until it stops getting faster:
    /// rounds of half a second (at least three calls each) until a round's fastest call is within 3% of the fastest
    /// before it, or 15 s.
    /// </summary>
    public static void Warm(Action run)
    {
        var clock = Stopwatch.StartNew();
        double fastest = double.MaxValue;
        while (true)
        {
            var round = Stopwatch.StartNew();
            double best = double.MaxValue;
            for (int calls = 0; calls < 3 || round.Elapsed < WarmUpRound; calls++)
            {
                var call = Stopwatch.StartNew();
                run();
                best = Math.Min(best, call.Elapsed.TotalMilliseconds);
            }
            if ((clock.Elapsed >= WarmUp && best > fastest * 0.97) || clock.Elapsed >= MaxWarmUp) return;
            fastest = Math.Min(fastest, best);
        }
    }

    public static double MedianMs(int repeats, Action run)
    {
        Warm(run);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>
    /// Items per second: <see cref="Warm"/>, then the median of 5 rounds, each about <paramref name="seconds"/> / 5 long;
    /// <paramref name="run"/> does some work and returns how many items it did. The peer scripts measure the same way.
    /// </summary>
    public static double MedianRate(double seconds, Func<int> run)
    {
        Warm(() => run());
        var rates = new double[5];
        for (int r = 0; r < rates.Length; r++)
        {
            long done = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds / 5 || done == 0) done += run();
            rates[r] = done / clock.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return rates[rates.Length / 2];
    }
}
