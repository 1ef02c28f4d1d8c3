using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using Streaming.Video.Imaging;

namespace Streaming.Video.Ingest;

/// <summary>A frame as ffmpeg decoded it: its presentation time in the stream and the wall-clock moment its last byte arrived.</summary>
internal sealed record DecodedFrame(TimeSpan Pts, DateTimeOffset DecodedAt, RgbImage Image);

/// <summary>How one ffmpeg run ended: frames delivered, exit code, whether it was stopped for stalling, and ffmpeg's last words.</summary>
internal sealed record SessionEnd(int Frames, int ExitCode, bool Stalled, string Error);

/// <summary>
/// One run of ffmpeg over a source (one pass of a file, one connection to a stream): raw rgb24 frames on its stdout pipe,
/// and for each, a line of the <c>showinfo</c> filter on stderr giving the frame's size and presentation time. The line
/// is logged before the frame leaves the filter graph, so it is always there by the time the frame's bytes are; sizes
/// come from ffmpeg itself, so aspect-keeping scales and mid-stream resolution changes need no probe.
/// </summary>
internal static partial class FfmpegSession
{
    /// <summary>ffmpeg's last stderr lines kept for an error message.</summary>
    const int ErrorLines = 4;

    /// <summary>
    /// Decodes <paramref name="address"/> into <paramref name="frames"/> (left open for the caller to complete) and returns how it
    /// ended. Live sources that deliver no frame for the options' stall timeout are stopped and reported as stalled.
    /// </summary>
    public static async Task<SessionEnd> RunAsync(VideoSourceAddress address, VideoSourceOptions options, ChannelWriter<DecodedFrame> frames,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var infos = Channel.CreateUnbounded<FrameInfo>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var errors = new Queue<string>();
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        // Files are paced by their reader, so only a live source can stall; the watch starts before ffmpeg connects.
        void Watch() { if (address.IsLive) stall.CancelAfter(options.StallTimeout); }
        void Unwatch() => stall.CancelAfter(Timeout.InfiniteTimeSpan);
        int count = 0;

        var sink = new StreamPipeSink(async (stdout, _) =>
        {
            var first = new byte[1];
            // A frame's first byte tells it exists; end of stream before one is ffmpeg done.
            while (await stdout.ReadAsync(first, session.Token).ConfigureAwait(false) == 1)
            {
                var info = await infos.Reader.ReadAsync(session.Token).ConfigureAwait(false);
                var pixels = new byte[info.Width * info.Height * 3];
                pixels[0] = first[0];
                await stdout.ReadExactlyAsync(pixels.AsMemory(1), session.Token).ConfigureAwait(false);
                var frame = new DecodedFrame(info.Pts ?? TimeSpan.Zero, time.GetUtcNow(), new RgbImage(info.Width, info.Height, pixels));
                // Waiting for a slow reader is not the source stalling.
                Unwatch();
                await frames.WriteAsync(frame, session.Token).ConfigureAwait(false);
                count++;
                Watch();
            }
        });

        var processor = Input(address)
            .OutputToPipe(sink, o => o.WithCustomArgument($"-an -sn -dn -vf {Filters(options)} -fps_mode passthrough -pix_fmt rgb24 -f rawvideo"))
            .NotifyOnStandardError(line =>
            {
                if (ShowInfo.TryParse(line) is { } info) infos.Writer.TryWrite(info);
                else if (!line.StartsWith("frame=", StringComparison.Ordinal) && !line.Contains("Parsed_showinfo", StringComparison.Ordinal))
                {
                    lock (errors)
                    {
                        errors.Enqueue(line.Trim());
                        if (errors.Count > ErrorLines) errors.Dequeue();
                    }
                }
            })
            .CancellableThrough(session.Token, TimeSpan.Zero);

        int exitCode;
        Watch();
        try
        {
            var result = await processor.ProcessAsynchronously(throwOnError: false).ConfigureAwait(false);
            exitCode = result.ExitCode;
        }
        catch (Exception e) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            exitCode = -1;
        }
        cancellationToken.ThrowIfCancellationRequested();
        string error;
        lock (errors) error = string.Join(" / ", errors);
        return new SessionEnd(count, exitCode, stall.IsCancellationRequested, error);
    }

    /// <summary>The filter chain: resample, scale, convert to rgb24, then report each frame's size and time.</summary>
    internal static string Filters(VideoSourceOptions options)
    {
        var filters = new List<string>();
        if (options.FramesPerSecond is { } fps) filters.Add(string.Create(CultureInfo.InvariantCulture, $"fps={fps}"));
        var scale = (options.Width, options.Height) switch
        {
            ({ } w, { } h) when options.KeepAspect => $"scale={w}:{h}:force_original_aspect_ratio=decrease",
            ({ } w, { } h) => $"scale={w}:{h}",
            ({ } w, null) => $"scale={w}:-1",
            (null, { } h) => $"scale=-1:{h}",
            _ => null,
        };
        if (scale is not null) filters.Add(scale);
        filters.Add("format=rgb24");
        // Without checksum=0 showinfo hashes every plane: 1080p decodes 1.7x slower (bench video).
        filters.Add("showinfo=checksum=0");
        return string.Join(',', filters);
    }

    /// <summary>
    /// Input options per kind: RTSP over TCP (UDP loses packets, and with them whole frames), V4L2 for devices. No banner:
    /// ffmpeg finds <c>-hide_banner</c> anywhere on its command line, and its last stderr lines are then the error.
    /// </summary>
    static FFMpegArguments Input(VideoSourceAddress address) => address.Kind switch
    {
        VideoSourceKind.Device => FFMpegArguments.FromDeviceInput(address.Location, o => o.WithCustomArgument("-hide_banner -f v4l2")),
        VideoSourceKind.Network when address.Location.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase) =>
            FFMpegArguments.FromUrlInput(address.Location, o => o.WithCustomArgument("-hide_banner -rtsp_transport tcp")),
        VideoSourceKind.Network => FFMpegArguments.FromUrlInput(address.Location, o => o.WithCustomArgument("-hide_banner")),
        _ => FFMpegArguments.FromFileInput(address.Location, verifyExists: true, o => o.WithCustomArgument("-hide_banner")),
    };

    /// <summary>What the showinfo filter says about a frame.</summary>
    internal sealed record FrameInfo(long Index, TimeSpan? Pts, int Width, int Height);

    /// <summary>Parses showinfo's per-frame line, e.g. <c>[Parsed_showinfo_2 @ 0x..] n:   0 pts:      0 pts_time:0  pos: 48 fmt:rgb24 sar:1/1 s:340x256 ...</c>.</summary>
    internal static partial class ShowInfo
    {
        public static FrameInfo? TryParse(string line)
        {
            var m = Line().Match(line);
            if (!m.Success) return null;
            TimeSpan? pts = double.TryParse(m.Groups["time"].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
            return new FrameInfo(long.Parse(m.Groups["n"].ValueSpan, CultureInfo.InvariantCulture), pts,
                int.Parse(m.Groups["w"].ValueSpan, CultureInfo.InvariantCulture), int.Parse(m.Groups["h"].ValueSpan, CultureInfo.InvariantCulture));
        }

        [GeneratedRegex(@"Parsed_showinfo_\d+ @ \S+\] n:\s*(?<n>\d+)\s+pts:\s*\S+\s+pts_time:(?<time>\S+).*?\ss:(?<w>\d+)x(?<h>\d+)\s")]
        private static partial Regex Line();
    }
}
