namespace Streaming.Cli.Peers;

/// <summary>A peer's best value of one metric and the thread setting that gave it.</summary>
public sealed record PeerBest(double Value, PeerThreading Threading)
{
    /// <summary>The peer's name in a results row: "torch (OPENBLAS_NUM_THREADS=1)".</summary>
    public string Peer(string name) => $"{name} ({Threading.Name})";
}
