namespace Streaming.Cli.Bench;

/// <summary>Where the camera path's latency goes at one frame rate, per stream count.</summary>
public sealed record CameraStages(double Fps, IReadOnlyList<StageLatency> Stages);
