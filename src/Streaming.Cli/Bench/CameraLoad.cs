using System.Diagnostics;
using System.Globalization;
using System.Text;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;

namespace Streaming.Cli.Bench;

/// <summary>
/// S cameras sending JPEG frames at a fixed rate into the frames topic, as cameras that encode on board would: each frame
/// keyed by its stream, with the <see cref="VideoFrame"/> headers, its capture time the moment it is sent. The cameras'
/// phases are spread over one frame interval; camera i starts its cycle of the clip at a different frame.
/// </summary>
public static class CameraLoad
{
    const int MaxInFlight = 256;

    /// <summary>Sends <paramref name="frames"/> frames per camera and returns when the broker has acknowledged them all.</summary>
    public static async Task PublishAsync(KafkaSink sink, string topic, IReadOnlyList<byte[]> jpegs, int width, int height, int streams, double fps, int frames)
    {
        var keys = Enumerable.Range(0, streams).Select(i => Encoding.UTF8.GetBytes($"camera-{i}")).ToArray();
        var inFlight = new List<Task>(MaxInFlight);
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < frames; t++)
        {
            for (int i = 0; i < streams; i++)
            {
                var due = TimeSpan.FromSeconds((t + i / (double)streams) / fps);
                if (due - clock.Elapsed is var wait && wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait).ConfigureAwait(false);
                KeyValuePair<string, byte[]>[] headers =
                [
                    new(VideoFrame.FormatHeader, "jpeg"u8.ToArray()),
                    new(VideoFrame.WidthHeader, Ascii(width)),
                    new(VideoFrame.HeightHeader, Ascii(height)),
                    new(VideoFrame.TimeHeader, Encoding.ASCII.GetBytes(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture))),
                    new(VideoFrame.SequenceHeader, Ascii(t)),
                ];
                inFlight.Add(sink.PublishAsync(topic, keys[i], jpegs[(t + i * 37) % jpegs.Count], headers));
                if (inFlight.Count == MaxInFlight)
                {
                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                    inFlight.Clear();
                }
            }
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
