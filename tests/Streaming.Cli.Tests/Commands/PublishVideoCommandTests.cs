using System.Diagnostics;
using System.Globalization;
using System.Text;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Contracts;
using Streaming.Video.Imaging;
using Streaming.Video.Tests.Ingest;

namespace Streaming.Cli.Tests.Commands;

/// <summary>`streaming publish --video` into the embedded broker, read back by kcat, an independent client, byte for byte.</summary>
public sealed class PublishVideoCommandTests
{
    /// <summary>One message as kcat printed it: key, headers and the exact payload bytes.</summary>
    sealed record KcatMessage(string Key, IReadOnlyDictionary<string, string> Headers, byte[] Payload);

    static string Clip(string name) => Path.Combine(RepositoryFiles.Data, "videos", name);

    [Fact]
    public async Task PublishVideo_TwoClips_EveryFrameAJpegOfTheRequestedSizeWithTheContractHeaders()
    {
        using var broker = new EmbeddedBroker(1);
        broker.CreateTopic(StreamingTopics.Frames.Name, 2);
        var result = CliProcess.Run(RepositoryFiles.Root, "publish", "--bootstrap-servers", broker.BootstrapServers,
            "--video", Clip("demo.mp4"), "--video", Clip("S001C001P001R001A001_rgb.avi"), "--stream", "arm-wrestling", "--stream", "ntu-drink",
            "--width", "170", "--speed", "0", "--quality", "80");
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}\n{result.Output}");
        int demoFrames = Ffprobe.CountFrames(Clip("demo.mp4")), ntuFrames = Ffprobe.CountFrames(Clip("S001C001P001R001A001_rgb.avi"));
        Assert.Contains($"{demoFrames + ntuFrames} frames (", result.Output, StringComparison.Ordinal);

        var messages = await Consume(broker.BootstrapServers, StreamingTopics.Frames.Name);
        Assert.Equal(demoFrames, messages.Count(m => m.Key == "arm-wrestling"));
        Assert.Equal(ntuFrames, messages.Count(m => m.Key == "ntu-drink"));
        // 340x256 and 1920x1080 scaled to width 170, aspect kept.
        var sizes = new Dictionary<string, (int, int)> { ["arm-wrestling"] = (170, 128), ["ntu-drink"] = (170, 96) };
        foreach (var stream in messages.GroupBy(m => m.Key))
        {
            var frames = stream.Select(m => VideoFrame.Create(m.Key, m.Headers, m.Payload)).ToList();
            Assert.All(frames, f => Assert.True(f.IsValid, f.Rejection?.ToString()));
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(i => (long)i), frames.Select(f => f.Value!.Sequence));
            Assert.All(frames.Zip(frames.Skip(1)), p => Assert.True(p.Second.Value!.CaptureTime > p.First.Value!.CaptureTime));
            Assert.All(stream, m => Assert.Equal("jpeg", m.Headers[VideoFrame.FormatHeader]));
            Assert.All(stream, m => Assert.Equal(sizes[stream.Key], (int.Parse(m.Headers[VideoFrame.WidthHeader], CultureInfo.InvariantCulture), int.Parse(m.Headers[VideoFrame.HeightHeader], CultureInfo.InvariantCulture))));
            Assert.All(stream, m => Assert.Equal([0xFF, 0xD8], m.Payload[..2]));
            Assert.All(stream, m =>
            {
                var image = JpegCodec.TryDecode(m.Payload);
                Assert.NotNull(image);
                Assert.Equal(sizes[stream.Key], (image.Width, image.Height));
            });
        }
    }

    [Fact]
    public void PublishVideo_MissingFile_FailsNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-clip.mp4");
        var result = CliProcess.Run(RepositoryFiles.Root, "publish", "--bootstrap-servers", "127.0.0.1:9", "--video", missing);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"streaming: video file '{missing}' does not exist.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishVideo_UnsupportedScheme_SaysWhatIsSupported()
    {
        var result = CliProcess.Run(RepositoryFiles.Root, "publish", "--bootstrap-servers", "127.0.0.1:9", "--video", "ftp://cameras.example/front.mp4");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the URL scheme 'ftp://' is not supported", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishVideo_StreamIdsThatDoNotMatchTheSources_FailsSayingSo()
    {
        var result = CliProcess.Run(RepositoryFiles.Root, "publish", "--bootstrap-servers", "127.0.0.1:9", "--video", Clip("demo.mp4"), "--stream", "a", "--stream", "b");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("2 --stream ids for 1 --video sources", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads a whole topic with kcat, each message printed as <c>key TAB payload-size TAB headers NEWLINE payload</c>, so
    /// binary payloads come back exactly.
    /// </summary>
    static async Task<List<KcatMessage>> Consume(string bootstrap, string topic)
    {
        var start = new ProcessStartInfo("/usr/bin/kcat", ["-b", bootstrap, "-C", "-t", topic, "-e", "-o", "beginning", "-q", "-f", "%k\t%S\t%h\n%s"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kcat exited with {process.ExitCode}: {await error}");
        var bytes = output.ToArray();
        var messages = new List<KcatMessage>();
        for (int at = 0; at < bytes.Length;)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', at);
            var fields = Encoding.UTF8.GetString(bytes, at, newline - at).Split('\t');
            int size = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var headers = fields[2].Split(',').Select(h => h.Split('=', 2)).ToDictionary(h => h[0], h => h[1]);
            messages.Add(new KcatMessage(fields[0], headers, bytes[(newline + 1)..(newline + 1 + size)]));
            at = newline + 1 + size;
        }
        return messages;
    }
}
