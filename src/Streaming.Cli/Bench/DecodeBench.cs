using System.Globalization;
using Streaming.Cli.Peers;
using Streaming.Video.Imaging;
using Streaming.Video.Ingest;

namespace Streaming.Cli.Bench;

/// <summary>
/// Getting pixels in and out: the sample clips decoded by our frame source (ffmpeg through FFMpegCore, a whole pass per
/// timing, process start included) at their own size and scaled to 640 wide, against the ffmpeg command line doing the
/// same decode into /dev/null; and JPEG encode and decode (<see cref="JpegCodec"/>, quality 85) against Pillow.
/// </summary>
public static class DecodeBench
{
    const int Quality = 85;
    const int ScaledWidth = 640;

    /// <summary>The JPEG rows' frames: the camera size of the latency bench and a 640-wide HD frame.</summary>
    static readonly (string Clip, int Width, int Height)[] JpegSizes = [("demo.mp4", 320, 240), ("S001C001P001R001A001_rgb.avi", 640, 360)];

    public static IEnumerable<BenchResult> Run(string videos, bool quick)
    {
        int repeats = quick ? 1 : 3;
        foreach (var clip in Directory.GetFiles(videos).Where(f => f.EndsWith(".mp4", StringComparison.Ordinal) || f.EndsWith(".avi", StringComparison.Ordinal)).Order())
        {
            foreach (var width in new int?[] { null, ScaledWidth })
            {
                var options = new VideoSourceOptions { Width = width };
                var frames = ClipFrames.Read(clip, options);
                var size = $"{frames[0].Width}x{frames[0].Height}";
                double ms = Timing.MedianMs(repeats, () => ClipFrames.Read(clip, options));
                var peer = FfmpegPeer.DecodeFramesPerSecond(clip, width is { } w ? $"scale={w}:-1" : null, frames.Count, repeats);
                yield return new BenchResult($"decode {Path.GetFileName(clip)} {size}", "frames/s", frames.Count * 1000 / ms, $"ffmpeg cli ({peer.Setting})", peer.FramesPerSecond);
            }
        }

        double seconds = quick ? 1 : 3;
        foreach (var (clip, width, height) in JpegSizes)
        {
            var frames = ClipFrames.Read(Path.Combine(videos, clip), new VideoSourceOptions { Width = width, Height = height, KeepAspect = false }, 16);
            var jpegs = frames.ConvertAll(f => JpegCodec.Encode(f, Quality));
            int next = 0;
            double encode = Timing.MedianRate(seconds, () => { JpegCodec.Encode(frames[next++ % frames.Count], Quality); return 1; });
            double decode = Timing.MedianRate(seconds, () => { _ = JpegCodec.TryDecode(jpegs[next++ % jpegs.Count]); return 1; });
            var peer = RunPillow(frames, width, height, seconds);
            var pillow = $"pillow {peer["pillow"]}";
            yield return new BenchResult($"jpeg encode {width}x{height} q{Quality}", "frames/s", encode, pillow, peer["encode_fps"]!.GetValue<double>());
            yield return new BenchResult($"jpeg decode {width}x{height} q{Quality}", "frames/s", decode, pillow, peer["decode_fps"]!.GetValue<double>());
        }
    }

    static System.Text.Json.Nodes.JsonNode RunPillow(List<RgbImage> frames, int width, int height, double seconds)
    {
        var file = Path.Combine(Path.GetTempPath(), $"jpeg-peer-{Guid.NewGuid():N}.rgb");
        File.WriteAllBytes(file, frames.SelectMany(f => f.Pixels).ToArray());
        try
        {
            return PythonPeer.Run("jpeg_peer.py", file, Str(frames.Count), Str(width), Str(height), Str(Quality), seconds.ToString(CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(file);
        }
    }

    static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
