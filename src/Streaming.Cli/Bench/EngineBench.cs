namespace Streaming.Cli.Bench;

/// <summary>The rows of <c>streaming bench engine</c>, in a stable order.</summary>
public static class EngineBench
{
    public static IReadOnlyList<BenchResult> Run(bool quick)
    {
        var results = new List<BenchResult>();
        results.AddRange(GemmBench.Run(quick));
        results.AddRange(BlockBench.Run(quick));
        return results;
    }
}
