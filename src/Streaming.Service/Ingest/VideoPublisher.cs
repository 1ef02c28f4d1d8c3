using System.Diagnostics;
using System.Globalization;
using System.Text;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;
using Streaming.Video.Imaging;
using Streaming.Video.Ingest;

namespace Streaming.Service.Ingest;

/// <summary>Frames and JPEG bytes the broker has acknowledged so far, over all streams.</summary>
public readonly record struct VideoPublishProgress(long Frames, long Bytes);

/// <summary>What a video publish sent: acknowledged frames and JPEG bytes, and how long it ran.</summary>
public sealed record VideoPublishSummary(long Frames, long Bytes, TimeSpan Elapsed)
{
    public double FramesPerSecond => Elapsed > TimeSpan.Zero ? Frames / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Publishes video sources into a topic as camera streams: one message per frame keyed by stream id, the JPEG as its
/// value and the <see cref="VideoFrame"/> headers (format, width, height, capture time, sequence), all streams at once.
/// The sources pace themselves (real time or as fast as possible), so a frame is sent the moment it is handed out.
/// </summary>
public static class VideoPublisher
{
    /// <summary>Frames of one stream in flight at once: enough to keep the idempotent producer's pipeline full.</summary>
    const int MaxInFlight = 64;

    /// <summary>
    /// Sends every frame of every source until they end or <paramref name="cancellationToken"/> stops them, which is how
    /// live sources end: then the summary counts what the broker acknowledged before the stop.
    /// </summary>
    public static Task<VideoPublishSummary> PublishAsync(KafkaSink sink, string topic, IReadOnlyList<VideoFrameSource> sources, int quality,
        IProgress<VideoPublishProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return PublishAsync(sink, topic, sources.Select(s => (s.Stream, s.ReadAsync(cancellationToken))).ToList(), quality, progress, cancellationToken);
    }

    /// <summary>The same for cameras given as their frames, each paced by whoever yields them (a replay of frames decoded beforehand).</summary>
    public static async Task<VideoPublishSummary> PublishAsync(KafkaSink sink, string topic, IReadOnlyList<(string Stream, IAsyncEnumerable<CapturedFrame> Frames)> cameras,
        int quality, IProgress<VideoPublishProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        long frames = 0, bytes = 0;
        var clock = Stopwatch.StartNew();

        async Task Send(byte[] key, CapturedFrame frame)
        {
            var jpeg = JpegCodec.Encode(frame.Image, quality);
            KeyValuePair<string, byte[]>[] headers =
            [
                new(VideoFrame.FormatHeader, "jpeg"u8.ToArray()),
                new(VideoFrame.WidthHeader, Ascii(frame.Image.Width)),
                new(VideoFrame.HeightHeader, Ascii(frame.Image.Height)),
                new(VideoFrame.TimeHeader, Encoding.ASCII.GetBytes(frame.CaptureTime.ToString("O", CultureInfo.InvariantCulture))),
                new(VideoFrame.SequenceHeader, Ascii(frame.Sequence)),
            ];
            await sink.PublishAsync(topic, key, jpeg, headers, cancellationToken).ConfigureAwait(false);
            var total = Interlocked.Increment(ref frames);
            progress?.Report(new VideoPublishProgress(total, Interlocked.Add(ref bytes, jpeg.Length)));
        }

        async Task Run(string stream, IAsyncEnumerable<CapturedFrame> camera)
        {
            var key = Encoding.UTF8.GetBytes(stream);
            var inFlight = new List<Task>(MaxInFlight);
            await foreach (var frame in camera.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                inFlight.Add(Send(key, frame));
                if (inFlight.Count == MaxInFlight)
                {
                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                    inFlight.Clear();
                }
            }
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        // Each source on its own task: decoding and JPEG encoding of one camera never wait for another's.
        try
        {
            await Task.WhenAll(cameras.Select(c => Task.Run(() => Run(c.Stream, c.Frames), cancellationToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped as asked (Ctrl+C ends a camera stream): what was acknowledged is the result.
        }
        return new VideoPublishSummary(Interlocked.Read(ref frames), Interlocked.Read(ref bytes), clock.Elapsed);
    }

    static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
