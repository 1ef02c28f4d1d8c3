using System.Diagnostics;

namespace Streaming.Cli.Peers;

/// <summary>
/// The ffmpeg command line decoding a clip to rgb24 and discarding it: what our frame source costs without its pipe,
/// frame records and channel. It runs with ffmpeg's automatic threads and with one thread; the faster one counts.
/// </summary>
public static class FfmpegPeer
{
    static readonly string[] ThreadSettings = ["0", "1"];

    /// <summary>Frames per second of the best thread setting (the median of <paramref name="repeats"/> passes each) and that setting.</summary>
    public static (double FramesPerSecond, string Setting) DecodeFramesPerSecond(string clip, string? scale, int frames, int repeats)
    {
        var best = (FramesPerSecond: 0.0, Setting: "");
        foreach (var threads in ThreadSettings)
        {
            var ms = Bench.Timing.MedianMs(repeats, () => Decode(clip, scale, threads));
            if (frames * 1000 / ms > best.FramesPerSecond) best = (frames * 1000 / ms, $"-threads {threads}");
        }
        return best;
    }

    static void Decode(string clip, string? scale, string threads)
    {
        var filters = scale is null ? "format=rgb24" : $"{scale},format=rgb24";
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-threads", threads, "-i", clip, "-an", "-sn", "-dn", "-vf", filters, "-fps_mode", "passthrough",
            "-threads", threads, "-pix_fmt", "rgb24", "-f", "rawvideo", "-y", "/dev/null"])
        { RedirectStandardError = true, UseShellExecute = false };
        using var ffmpeg = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg; run scripts/setup.sh");
        var stderr = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg peer failed on {clip}: {stderr.Trim()}");
    }
}
