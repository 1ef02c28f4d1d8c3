using System.Diagnostics;

namespace Streaming.Cli.Bench;

/// <summary>
/// A bench's load through the service: publish it, then wait until the predictions stop coming for a second (at most a
/// minute past the load's own length). The wall time excludes that quiet second; the CPU share is of all cores; the
/// memory is the process's working set at the end.
/// </summary>
static class DrainedRun
{
    public static (double WallSeconds, double CpuPercent, double MemoryMb) Measure(Action publish, Func<int> predictions, double seconds)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        publish();
        int seen = -1;
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(1) && clock.Elapsed < TimeSpan.FromSeconds(seconds + 60))
        {
            Thread.Sleep(100);
            int count = predictions();
            if (count != seen) (seen, quiet) = (count, Stopwatch.StartNew());
        }
        double wall = clock.Elapsed.TotalSeconds - quiet.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall / Environment.ProcessorCount * 100, process.WorkingSet64 / (1024.0 * 1024.0));
    }
}
