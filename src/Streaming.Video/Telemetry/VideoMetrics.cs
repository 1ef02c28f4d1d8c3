using System.Diagnostics.Metrics;

namespace Streaming.Video.Telemetry;

/// <summary>Instruments of the video edge, under the meter <see cref="MeterName"/>; each is tagged <c>stream</c>.</summary>
public static class VideoMetrics
{
    public const string MeterName = "Streaming.Video";
    public const string FramesName = "streaming.video.source.frames";
    public const string ReconnectsName = "streaming.video.source.reconnects";
    public const string GapsName = "streaming.video.source.gaps";
    public const string MissedFramesName = "streaming.video.source.frames.missed";

    static readonly Meter Meter = new(MeterName);

    static readonly Counter<long> Frames = Meter.CreateCounter<long>(FramesName, "{frame}", "Frames decoded from video sources.");

    static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        ReconnectsName, "{reconnect}", "Times a live source's ffmpeg was restarted after it exited or stalled.");

    static readonly Counter<long> Gaps = Meter.CreateCounter<long>(
        GapsName, "{gap}", "Outages of a live source that frames resumed after (sequence numbers jump by the frames missed).");

    static readonly Counter<long> MissedFrames = Meter.CreateCounter<long>(
        MissedFramesName, "{frame}", "Frames a live source would have delivered during its outages: the gap times its frame rate.");

    internal static void Decoded(string stream) => Frames.Add(1, Tag(stream));

    internal static void Reconnected(string stream) => Reconnects.Add(1, Tag(stream));

    internal static void Gap(string stream, long missed)
    {
        Gaps.Add(1, Tag(stream));
        MissedFrames.Add(missed, Tag(stream));
    }

    static KeyValuePair<string, object?> Tag(string stream) => new("stream", stream);
}
