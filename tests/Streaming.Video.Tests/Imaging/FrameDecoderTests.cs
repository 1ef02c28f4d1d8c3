using Streaming.Pipeline.Contracts;
using Streaming.Video.Imaging;
using Streaming.Video.Tests.Fixtures;

namespace Streaming.Video.Tests.Imaging;

public class FrameDecoderTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    static VideoFrame Jpeg(byte[] payload, int width = MarkerFrames.Width, int height = MarkerFrames.Height) =>
        new("cam-1", VideoFormat.Jpeg, width, height, T0, 7, payload);

    [Fact]
    public void Decode_Jpeg_GivesTheImageOfTheHeadersSize()
    {
        var image = FrameDecoder.Decode(Jpeg(MarkerFrames.Jpeg(MarkerFrames.Pose(0))));
        Assert.True(image.IsValid, image.Rejection?.ToString());
        Assert.Equal((MarkerFrames.Width, MarkerFrames.Height), (image.Value.Width, image.Value.Height));
    }

    [Fact]
    public void Decode_Rgb24_PassesThePixelsThrough()
    {
        var pixels = MarkerFrames.Render(MarkerFrames.Pose(0)).Pixels;
        var image = FrameDecoder.Decode(new VideoFrame("cam-1", VideoFormat.Rgb24, MarkerFrames.Width, MarkerFrames.Height, T0, 7, pixels));
        Assert.Equal(pixels, image.Value?.Pixels);
    }

    [Fact]
    public void Decode_JpegOfAnotherSize_RejectedAsFrameSizeBeforeDecoding()
    {
        var rejection = FrameDecoder.Decode(Jpeg(MarkerFrames.Jpeg(MarkerFrames.Pose(0)), width: 640, height: 480)).Rejection;
        Assert.Equal("frame-size", rejection?.Code);
        Assert.Contains("320x240", rejection!.Message);
        Assert.Contains("640x480", rejection.Message);
    }

    [Fact]
    public void Decode_GarbageBetweenSoiAndEoi_RejectedAsCorrupt()
    {
        var garbage = new byte[2000];
        new Random(3).NextBytes(garbage);
        (garbage[0], garbage[1], garbage[^2], garbage[^1]) = ((byte)0xFF, (byte)0xD8, (byte)0xFF, (byte)0xD9);
        Assert.Equal("corrupt-jpeg", FrameDecoder.Decode(Jpeg(garbage)).Rejection?.Code);
    }

    [Fact]
    public void Decode_JpegWithItsHeaderSegmentsOverwritten_RejectedAsCorrupt()
    {
        // SOI and EOI where they belong, the tables and frame header after SOI scrambled: a frame damaged in transit.
        var jpeg = MarkerFrames.Jpeg(MarkerFrames.Pose(0));
        var noise = new byte[300];
        new Random(5).NextBytes(noise);
        noise.CopyTo(jpeg, 2);
        var rejection = FrameDecoder.Decode(Jpeg(jpeg)).Rejection;
        Assert.Equal("corrupt-jpeg", rejection?.Code);
    }
}
