namespace Streaming.Cli.Bench;

/// <summary>
/// One row of a results file (docs/results-format.md). <see cref="Ratio"/> is value / peer value when a peer
/// was measured in the same run; names are stable across versions so results can be compared. <see cref="Std"/> is the
/// standard deviation of <see cref="Value"/> over repeated runs (seeds) where it is a mean.
/// </summary>
public sealed record BenchResult(string Name, string Metric, double Value, string? Peer = null, double? PeerValue = null, double? Std = null)
{
    public double? Ratio => PeerValue is > 0 ? Value / PeerValue : null;
}
