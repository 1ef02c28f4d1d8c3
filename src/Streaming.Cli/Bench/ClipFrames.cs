using Streaming.Video.Imaging;
using Streaming.Video.Ingest;

namespace Streaming.Cli.Bench;

/// <summary>Frames of a sample clip decoded by our frame source (ffmpeg) as fast as it decodes, for the video benches.</summary>
public static class ClipFrames
{
    /// <summary>The first <paramref name="count"/> frames (fewer if the clip is shorter); all of them when null.</summary>
    public static List<RgbImage> Read(string clip, VideoSourceOptions options, int? count = null)
    {
        var source = new VideoFrameSource(VideoSourceAddress.Parse(clip), Path.GetFileName(clip), options with { Speed = 0, Loop = false });
        return Collect(source, count).GetAwaiter().GetResult();
    }

    static async Task<List<RgbImage>> Collect(VideoFrameSource source, int? count)
    {
        var frames = new List<RgbImage>();
        await foreach (var frame in source.ReadAsync())
        {
            frames.Add(frame.Image);
            if (frames.Count == count) break;
        }
        return frames;
    }
}
