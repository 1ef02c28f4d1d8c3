using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Video.Telemetry;

namespace Streaming.Video.Ingest;

/// <summary>
/// Frames of one video source, decoded by ffmpeg (through FFMpegCore) to rgb24 at the requested size, numbered and
/// stamped with their capture time.
/// </summary>
/// <remarks>
/// <para>A file's frame at presentation time <c>pts</c> is captured at <c>start + pts / speed</c> (at speed 0,
/// <c>start + pts</c>) and, at a positive speed, not handed out before that moment: the recording plays as a camera
/// would. Looping continues both clocks: pass k starts one frame interval after pass k-1's last frame.</para>
/// <para>A live source (network stream or device) is captured when ffmpeg delivers the frame, on the wall clock. When
/// ffmpeg exits or stalls the source reconnects with exponential backoff, and the first frame afterwards is numbered as
/// if the frames missed during the outage had come: the sequence skips <c>round(gap x fps) - 1</c> numbers, where gap is
/// the time from the last frame before the outage to the first after it and fps is the source's own rate (measured from
/// its timestamps over the last connection that had two or more frames, or the resampled rate when one is set). A gap
/// is logged and counted in <see cref="VideoMetrics.GapsName"/> and <see cref="VideoMetrics.MissedFramesName"/>.</para>
/// </remarks>
public sealed class VideoFrameSource
{
    /// <summary>ffmpeg's own default frame rate, for the interval after a looped file's only frame.</summary>
    const double FallbackFramesPerSecond = 25;

    /// <summary>Frames decoded ahead of the reader: enough to hide decode jitter, few enough that pacing holds ffmpeg back.</summary>
    const int DecodeAhead = 2;

    readonly VideoSourceOptions options;
    readonly ILogger logger;
    readonly TimeProvider time;

    public VideoFrameSource(VideoSourceAddress address, string stream, VideoSourceOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        Address = address;
        Stream = stream;
        this.options = options ?? new VideoSourceOptions();
        this.options.Validate();
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
    }

    public VideoSourceAddress Address { get; }

    /// <summary>The stream id, for logs and metric tags.</summary>
    public string Stream { get; }

    /// <summary>Times ffmpeg was restarted after a live source ended, failed or stalled.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Outages that frames resumed after, and the frames counted as missed in them.</summary>
    public int Gaps { get; private set; }

    public long MissedFrames { get; private set; }

    /// <summary>Decodes the source until it ends (a file without loop), the token is cancelled, or a live source exhausts its reconnect attempts.</summary>
    /// <exception cref="VideoSourceException">ffmpeg cannot read the file, the file has no video frames, or a live source gave up.</exception>
    public async IAsyncEnumerable<CapturedFrame> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        VideoSourceLog.Opening(logger, Stream, Address.Display, Address.Kind);
        // A file's clock starts at its first frame, not at ffmpeg's start-up, which would make the first frames late.
        DateTimeOffset? start = null;
        long sequence = 0;
        var passOffset = TimeSpan.Zero;
        DateTimeOffset? lastLiveFrame = null;
        double? rate = options.FramesPerSecond;
        int failures = 0;
        while (true)
        {
            var channel = Channel.CreateBounded<DecodedFrame>(new BoundedChannelOptions(DecodeAhead) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var run = Decode(channel.Writer, stop.Token);
            int frames = 0;
            TimeSpan firstPts = default, lastPts = default;
            try
            {
                await foreach (var decoded in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (frames == 0) firstPts = decoded.Pts;
                    lastPts = decoded.Pts;
                    frames++;
                    VideoMetrics.Decoded(Stream);
                    if (Address.IsLive)
                    {
                        if (frames == 1 && lastLiveFrame is { } before) sequence = Resume(before, decoded.DecodedAt, sequence, rate);
                        lastLiveFrame = decoded.DecodedAt;
                        yield return new CapturedFrame(sequence++, decoded.DecodedAt, decoded.Image);
                        continue;
                    }
                    var position = passOffset + (decoded.Pts - firstPts);
                    start ??= time.GetUtcNow();
                    var due = start.Value + (options.Speed > 0 ? position / options.Speed : position);
                    if (options.Speed > 0 && due - time.GetUtcNow() is var wait && wait > TimeSpan.Zero)
                        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    yield return new CapturedFrame(sequence++, due, decoded.Image);
                }
            }
            finally
            {
                // The reader stopped early (or failed): stop ffmpeg rather than leave it blocked on a full channel.
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(run).ConfigureAwait(false);
            }

            var end = await run.ConfigureAwait(false);
            if (frames >= 2 && options.FramesPerSecond is null) rate = (frames - 1) / (lastPts - firstPts).TotalSeconds;
            if (!Address.IsLive)
            {
                if (end.ExitCode != 0)
                    throw new VideoSourceException($"ffmpeg could not decode '{Address.Location}' (exit code {end.ExitCode}): {end.Error}");
                if (frames == 0) throw new VideoSourceException($"video file '{Address.Location}' has no video frames.");
                if (!options.Loop) yield break;
                passOffset += lastPts - firstPts + TimeSpan.FromSeconds(1 / (rate ?? FallbackFramesPerSecond));
                continue;
            }

            failures = frames > 0 ? 1 : failures + 1;
            var reason = end.Stalled ? $"stalled (no frame for {options.StallTimeout.TotalSeconds:0.###} s)"
                : end.ExitCode == 0 ? "ended" : $"failed (ffmpeg exit code {end.ExitCode}: {end.Error})";
            if (options.Reconnect.MaxAttempts is { } max && failures > max)
                throw new VideoSourceException($"video source '{Address.Display}' {reason}, and {max} reconnect attempts in a row brought no frame; giving up.");
            var delay = options.Reconnect.DelayBefore(failures);
            VideoSourceLog.Reconnecting(logger, Stream, Address.Display, reason, (long)delay.TotalMilliseconds, failures);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            Reconnects++;
            VideoMetrics.Reconnected(Stream);
        }
    }

    /// <summary>One ffmpeg run; the channel completes only once its outcome is settled, so stopping it afterwards changes nothing.</summary>
    async Task<SessionEnd> Decode(ChannelWriter<DecodedFrame> frames, CancellationToken cancellationToken)
    {
        try
        {
            return await FfmpegSession.RunAsync(Address, options, frames, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            frames.TryComplete();
        }
    }

    /// <summary>The sequence number of the first frame after an outage, leaving room for the frames missed in it.</summary>
    long Resume(DateTimeOffset before, DateTimeOffset after, long next, double? rate)
    {
        var gap = after - before;
        long missed = rate is { } fps ? Math.Max(0, (long)Math.Round(gap.TotalSeconds * fps) - 1) : 0;
        Gaps++;
        MissedFrames += missed;
        VideoMetrics.Gap(Stream, missed);
        VideoSourceLog.Resumed(logger, Stream, Address.Display, (long)gap.TotalMilliseconds, missed, rate ?? 0, next - 1, next + missed);
        return next + missed;
    }
}
