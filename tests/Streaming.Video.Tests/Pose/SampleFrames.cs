using System.Diagnostics;
using Streaming.Video.Imaging;

namespace Streaming.Video.Tests.Pose;

/// <summary>Frames of the shared sample clips (../shared/data/videos), decoded by the ffmpeg the set-up installs.</summary>
public static class SampleFrames
{
    public static string Videos { get; } = FindVideos();

    /// <summary>
    /// Every <paramref name="every"/>-th frame, <paramref name="count"/> of them, as rgb24 after the ffmpeg filter
    /// <paramref name="filter"/>, which must produce <paramref name="width"/> x <paramref name="height"/>.
    /// </summary>
    public static List<RgbImage> Decode(string video, int count, int every, string filter, int width, int height)
    {
        var path = Path.Combine(Videos, video);
        var start = new ProcessStartInfo("ffmpeg", ["-v", "error", "-i", path, "-vf", $"select=not(mod(n\\,{every})),{filter}", "-fps_mode", "passthrough", "-frames:v", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("could not start ffmpeg; run scripts/setup.sh");
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        using var bytes = new MemoryStream();
        ffmpeg.StandardOutput.BaseStream.CopyTo(bytes);
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed on {path}: {stderr.Result}");
        var size = width * height * 3;
        var all = bytes.ToArray();
        if (all.Length != count * size) throw new InvalidOperationException($"ffmpeg gave {all.Length} bytes for {count} frames of {width}x{height} from {path}.");
        return Enumerable.Range(0, count).Select(i => RgbImage.Create(width, height, all[(i * size)..((i + 1) * size)])).ToList();
    }

    /// <summary>Frames letterboxed to <paramref name="size"/> squared by ffmpeg (aspect kept, black bars).</summary>
    public static List<RgbImage> Letterboxed(string video, int count, int every, int size) =>
        Decode(video, count, every, $"scale={size}:{size}:force_original_aspect_ratio=decrease,pad={size}:{size}:(ow-iw)/2:(oh-ih)/2", size, size);

    static string FindVideos()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "videos");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data/videos not found above " + AppContext.BaseDirectory);
    }
}
