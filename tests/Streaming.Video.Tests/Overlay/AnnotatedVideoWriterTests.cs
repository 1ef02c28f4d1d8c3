using System.Diagnostics;
using SkiaSharp;
using Streaming.Video.Overlay;

namespace Streaming.Video.Tests.Overlay;

public sealed class AnnotatedVideoWriterTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("annotated-video-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static SKBitmap Frame(int i)
    {
        var bitmap = new SKBitmap(new SKImageInfo(161, 90, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor((byte)(i * 20), 40, 200));
        return bitmap;
    }

    [Fact]
    public async Task WriteAsync_EveryFrameInAnH264Mp4_OddWidthPadded()
    {
        var path = Path.Combine(folder, "clip.mp4");

        await AnnotatedVideoWriter.WriteAsync(path, Enumerable.Range(0, 12).Select(Frame), 15, CancellationToken.None);

        var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v", "-show_entries", "stream=codec_name,width,height,nb_read_frames,avg_frame_rate", "-of", "csv=p=0", path])
        { RedirectStandardOutput = true })!;
        var output = (await probe.StandardOutput.ReadToEndAsync()).Trim();
        await probe.WaitForExitAsync();
        Assert.Equal("h264,162,90,15/1,12", output);
    }

    [Fact]
    public async Task WriteAsync_NonPositiveRate_Refused()
    {
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => AnnotatedVideoWriter.WriteAsync(Path.Combine(folder, "x.mp4"), [], 0, CancellationToken.None));
        Assert.Contains("frames per second", e.Message);
    }
}
