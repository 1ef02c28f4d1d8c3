using System.Diagnostics;

namespace Streaming.Cli.Bench;

/// <summary>Wall-clock timing for the benchmarks: warm-up, then the median of the timed runs (robust to a noisy, shared machine).</summary>
public static class Timing
{
    /// <summary>
    /// How long code runs before it is timed. The JIT first compiles a method quickly (tier 0) and recompiles it
    /// optimized after 30 calls and a 100 ms quiet period, so one warm-up call times unoptimized kernels: batch-1
    /// prefill measured 174 ms after one warm-up call and 86 ms after a second of them.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="run"/> at least twice and for at least <see cref="WarmUp"/>, untimed.</summary>
    public static void Warm(Action run)
    {
        var clock = Stopwatch.StartNew();
        for (int calls = 0; calls < 2 || clock.Elapsed < WarmUp; calls++) run();
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
    /// Items per second: a warm-up round, then the median of 5 rounds, each about <paramref name="seconds"/> / 5 long;
    /// <paramref name="run"/> does some work and returns how many items it did. The peer scripts measure the same way.
    /// </summary>
    public static double MedianRate(double seconds, Func<int> run)
    {
        var rates = new double[6];
        for (int r = 0; r < rates.Length; r++)
        {
            long done = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < Math.Max(seconds / 5, r == 0 ? WarmUp.TotalSeconds : 0) || done == 0) done += run();
            rates[r] = done / clock.Elapsed.TotalSeconds;
        }
        var timed = rates[1..];
        Array.Sort(timed);
        return timed[timed.Length / 2];
    }
}
