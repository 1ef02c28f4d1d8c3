namespace Streaming.Cli.Peers;

/// <summary>
/// A thread setting for the PyTorch peer. Debian's torch runs OpenMP and OpenBLAS thread pools side by side, and
/// their defaults oversubscribe a small machine (2 cores: 2154 ms per LM prefill by default, 261 ms with
/// OpenBLAS on one thread), so a fair peer tries the settings a competent user would and keeps the fastest.
/// </summary>
public sealed record PeerThreading(string Name, IReadOnlyDictionary<string, string> Environment)
{
    public static PeerThreading Default { get; } = new("default", new Dictionary<string, string>());

    public static PeerThreading PassiveWait { get; } = new("OMP_WAIT_POLICY=PASSIVE", new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE" });

    public static PeerThreading SingleThreadBlas { get; } = new("OPENBLAS_NUM_THREADS=1", new Dictionary<string, string> { ["OPENBLAS_NUM_THREADS"] = "1" });

    public static PeerThreading PassiveSingleThreadBlas { get; } = new("OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1",
        new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE", ["OPENBLAS_NUM_THREADS"] = "1" });

    /// <summary>Every setting, for peers that run whole models (torch's own thread pool over OpenBLAS calls).</summary>
    public static IReadOnlyList<PeerThreading> All { get; } = [Default, PassiveWait, SingleThreadBlas, PassiveSingleThreadBlas];

    /// <summary>For the GEMM peer, which pins OpenBLAS to the row's thread count itself: only the wait policy varies.</summary>
    public static IReadOnlyList<PeerThreading> WaitPolicies { get; } = [Default, PassiveWait];
}
