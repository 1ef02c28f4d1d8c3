using Streaming.Service.Configuration;

namespace Streaming.Cli.Bench;

/// <summary><c>streaming bench video</c>: decoding and JPEG, pose models against TensorFlow.js WASM, camera streams end to end.</summary>
public static class VideoBench
{
    public enum Part { All, Decode, Pose, Latency }

    /// <summary>What the camera streams run with: S per run, frame rates, seconds per run and the service's Video settings.</summary>
    public sealed record LatencyLoad(IReadOnlyList<int> Streams, IReadOnlyList<double> Rates, double Seconds, VideoSettings Video);

    public static VideoBenchRun Run(string dataRoot, bool quick, Part only, LatencyLoad load)
    {
        var videos = Path.Combine(dataRoot, "videos");
        var results = new List<BenchResult>();
        var stages = new List<CameraStages>();
        if (only is Part.All or Part.Decode) results.AddRange(DecodeBench.Run(videos, quick));
        if (only is Part.All or Part.Pose) results.AddRange(PoseBench.Run(videos, Video.Pose.PoseModels.FindBuildFolder(Directory.GetCurrentDirectory()), quick));
        if (only is Part.All or Part.Latency)
        {
            foreach (var (rows, breakdown) in CameraPipelineBench.Run(videos, load.Streams, load.Rates, load.Seconds, load.Video))
            {
                results.AddRange(rows);
                stages.Add(breakdown);
            }
        }
        return new VideoBenchRun(results, stages);
    }
}
