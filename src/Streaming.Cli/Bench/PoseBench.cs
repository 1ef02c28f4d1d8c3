using System.Globalization;
using Streaming.Cli.Peers;
using Streaming.Video.Imaging;
using Streaming.Video.Ingest;
using Streaming.Video.Pose;

namespace Streaming.Cli.Bench;

/// <summary>
/// MoveNet Lightning and Thunder frames/s at batch 1, 4 and 16: ours (<see cref="OnnxPoseModel"/> on ONNX Runtime,
/// letterboxing 340x256 frames of demo.mp4 into the model input, best of 1 and 2 intra-op threads) against
/// TensorFlow.js with its WASM backend (Peers/pose_peer.mjs) running the same model.json in Node on the same frames,
/// given already letterboxed (its pre-processing is not timed).
/// </summary>
public static class PoseBench
{
    const int Frames = 16;
    static readonly int[] Batches = [1, 4, 16];
    static readonly int[] IntraOpThreads = [1, 2];

    public static IEnumerable<BenchResult> Run(string videos, string buildFolder, bool quick)
    {
        double seconds = quick ? 1.5 : 5;
        var frames = ClipFrames.Read(Path.Combine(videos, "demo.mp4"), new VideoSourceOptions(), Frames);
        foreach (var moveNet in MoveNet.All)
        {
            var onnx = PoseModels.EnsureImported(buildFolder, moveNet);
            var ours = new Dictionary<int, (double Fps, int Threads)>();
            foreach (var threads in IntraOpThreads)
            {
                using var model = new OnnxPoseModel(PoseModels.Settings(moveNet, onnx) with { IntraOpThreads = threads });
                foreach (var batch in Batches)
                {
                    var batches = Enumerable.Range(0, Frames / batch).Select(i => frames.GetRange(i * batch, batch)).ToList();
                    int next = 0;
                    double fps = Timing.MedianRate(seconds, () => model.Estimate(batches[next++ % batches.Count]).Count);
                    if (!ours.TryGetValue(batch, out var best) || fps > best.Fps) ours[batch] = (fps, threads);
                }
            }
            var peer = RunTfjsWasm(buildFolder, moveNet, frames, seconds);
            var simd = (bool)peer["simd"]! ? "SIMD" : "no SIMD";
            var tfjs = $"tfjs-wasm {peer["tfjs"]} ({simd}, {peer["threads"]} thread{((int)peer["threads"]! == 1 ? "" : "s")})";
            foreach (var batch in Batches)
            {
                double peerFps = peer["results"]!.AsArray().Single(r => (int)r!["batch"]! == batch)!["fps"]!.GetValue<double>();
                var (fps, threads) = ours[batch];
                yield return new BenchResult($"pose {moveNet.Name} {moveNet.InputSize} b{batch} (onnxruntime, intra-op {threads})", "frames/s", fps, tfjs, peerFps);
            }
        }
    }

    /// <summary>The peer's document; it asks for as many threads as there are cores, as a JavaScript user would.</summary>
    static System.Text.Json.Nodes.JsonNode RunTfjsWasm(string buildFolder, MoveNet moveNet, List<RgbImage> frames, double seconds)
    {
        int size = moveNet.InputSize;
        var input = new float[size * size * 3];
        var letterboxed = new byte[frames.Count * input.Length];
        for (int i = 0; i < frames.Count; i++)
        {
            Letterbox.Fit(frames[i].Width, frames[i].Height, size, size).Draw(frames[i], input, size, size, channelsFirst: false);
            for (int j = 0; j < input.Length; j++) letterboxed[i * input.Length + j] = (byte)MathF.Round(input[j]);
        }
        var file = Path.Combine(Path.GetTempPath(), $"pose-peer-{Guid.NewGuid():N}.rgb");
        File.WriteAllBytes(file, letterboxed);
        try
        {
            return NodePeer.Run("pose_peer.mjs", [Path.Combine(buildFolder, "pose-peer"), PoseModels.TfjsModel(buildFolder, moveNet), file, Str(frames.Count), Str(size),
                Str(Environment.ProcessorCount), seconds.ToString(CultureInfo.InvariantCulture), .. Batches.Select(Str)]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
