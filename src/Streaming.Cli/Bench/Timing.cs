using System.Diagnostics;

namespace Streaming.Cli.Bench;

/// <summary>Wall-clock timing for the benchmarks: one warm-up run, then the median of the timed runs (robust to a noisy, shared machine).</summary>
public static class Timing
{
    public static double MedianMs(int repeats, Action run)
    {
        run();
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
            while (clock.Elapsed.TotalSeconds < seconds / 5 || done == 0) done += run();
            rates[r] = done / clock.Elapsed.TotalSeconds;
        }
        var timed = rates[1..];
        Array.Sort(timed);
        return timed[timed.Length / 2];
    }
}
