namespace Streaming.Cli.Bench;

/// <summary><c>streaming bench video</c>: decoding and JPEG, pose models against TensorFlow.js WASM, camera streams end to end.</summary>
public static class VideoBench
{
    public enum Part { All, Decode, Pose }

    public static PipelineBenchRun Run(string dataRoot, bool quick, Part only = Part.All)
    {
        var videos = Path.Combine(dataRoot, "videos");
        var build = Video.Pose.PoseModels.FindBuildFolder(Directory.GetCurrentDirectory());
        var results = new List<BenchResult>();
        if (only is Part.All or Part.Decode) results.AddRange(DecodeBench.Run(videos, quick));
        if (only is Part.All or Part.Pose) results.AddRange(PoseBench.Run(videos, build, quick));
        return new PipelineBenchRun(results, []);
    }
}
