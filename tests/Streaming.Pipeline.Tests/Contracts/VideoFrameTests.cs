using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Tests.Contracts;

public class VideoFrameTests
{
    static Dictionary<string, string> Headers(string format, int width = 4, int height = 2) => new()
    {
        ["format"] = format, ["width"] = width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["height"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture), ["time"] = "2026-01-01T12:00:00Z", ["seq"] = "9",
    };

    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0xFF, 0xD9];

    [Fact]
    public void Create_Rgb24WithWidthTimesHeightTimes3Bytes_Accepted()
    {
        var parsed = VideoFrame.Create("cam-1", Headers("rgb24"), new byte[4 * 2 * 3]);
        Assert.True(parsed.IsValid, parsed.Rejection?.ToString());
        Assert.Equal(VideoFormat.Rgb24, parsed.Value.Format);
        Assert.Equal(9, parsed.Value.Sequence);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(25)]
    [InlineData(0)]
    public void Create_Rgb24WrongByteCount_RejectedAsFrameSize(int bytes)
    {
        var rejection = VideoFrame.Create("cam-1", Headers("rgb24"), new byte[bytes]).Rejection;
        Assert.Equal("frame-size", rejection?.Code);
        Assert.Contains("24 bytes", rejection!.Message);
    }

    [Fact]
    public void Create_CompleteJpeg_Accepted() =>
        Assert.True(VideoFrame.Create("cam-1", Headers("jpeg"), Jpeg).IsValid);

    [Fact]
    public void Create_JpegWithoutEoi_RejectedAsTruncated()
    {
        var rejection = VideoFrame.Create("cam-1", Headers("jpeg"), Jpeg.AsMemory(0, Jpeg.Length - 3)).Rejection;
        Assert.Equal("truncated-jpeg", rejection?.Code);
        Assert.Contains("EOI", rejection!.Message);
    }

    [Fact]
    public void Create_JpegWithoutSoi_RejectedAsCorrupt() =>
        Assert.Equal("corrupt-jpeg", VideoFrame.Create("cam-1", Headers("jpeg"), Jpeg.AsMemory(2)).Rejection?.Code);

    [Fact]
    public void Create_BadHeaders_RejectedWithTheHeaderNamed()
    {
        var missing = Headers("jpeg");
        missing.Remove("seq");
        Assert.Equal("missing-field", VideoFrame.Create("cam-1", missing, Jpeg).Rejection?.Code);
        var rejection = VideoFrame.Create("cam-1", Headers("png"), Jpeg).Rejection;
        Assert.Equal("unknown-format", rejection?.Code);
        Assert.Contains("png", rejection!.Message);
        Assert.Equal("invalid-field", VideoFrame.Create("cam-1", Headers("rgb24", width: 0), Array.Empty<byte>()).Rejection?.Code);
    }

    [Fact]
    public void Create_OverMaxBytes_RejectedAsOversized() =>
        Assert.Equal("oversized", VideoFrame.Create("cam-1", Headers("rgb24"), new byte[24], maxBytes: 16).Rejection?.Code);
}
