namespace Streaming.Cli.Bench;

/// <summary>The latency percentiles of one stage of the Kafka path at one stream count, in milliseconds.</summary>
/// <param name="Stage">The stable name in the results file (<c>ingest</c>, ..., <c>end-to-end</c>).</param>
/// <param name="Span">What the stage spans, for the table.</param>
public sealed record StageLatency(int Streams, string Stage, string Span, double P50, double P95, double P99)
{
    /// <summary>The stage of <paramref name="values"/>, whose percentiles are nearest-rank (NaN when empty).</summary>
    public static StageLatency Of(int streams, string stage, string span, IReadOnlyCollection<double> values)
    {
        double[] sorted = [.. values.Order()];
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new StageLatency(streams, stage, span, P(0.5), P(0.95), P(0.99));
    }
}
