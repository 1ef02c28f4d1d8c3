namespace Streaming.Cli.Bench;

/// <summary>The rows of <c>streaming bench engine</c>, in a stable order.</summary>
public static class EngineBench
{
    public enum Part { All, Gemm, Block }

    public static IReadOnlyList<BenchResult> Run(bool quick, Part only = Part.All)
    {
        var results = new List<BenchResult>();
        if (only is Part.All or Part.Gemm) results.AddRange(GemmBench.Run(quick));
        if (only is Part.All or Part.Block) results.AddRange(BlockBench.Run(quick));
        return results;
    }
}
