namespace Streaming.Cli.Bench;

/// <summary>What <c>bench pipeline</c> measured: the results file's rows and the stage breakdown they include.</summary>
public sealed record PipelineBenchRun(IReadOnlyList<BenchResult> Results, IReadOnlyList<StageLatency> Stages);
