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
}
