namespace Streaming.Cli.Bench;

/// <summary>What <c>bench video</c> measured: the results file's rows and, per camera frame rate, where the latency went.</summary>
public sealed record VideoBenchRun(IReadOnlyList<BenchResult> Results, IReadOnlyList<CameraStages> Stages);
