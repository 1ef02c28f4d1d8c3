using Streaming.Video.Imaging;

namespace Streaming.Video.Tests.Imaging;

public class JpegCodecTests
{
    private static RgbImage Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int q = (y * w + x) * 3;
                px[q] = (byte)(x * 255 / (w - 1));
                px[q + 1] = (byte)(y * 255 / (h - 1));
                px[q + 2] = 128;
            }
        return RgbImage.Create(w, h, px);
    }

    [Fact]
    public void Round_trip_keeps_size_and_colours_within_jpeg_error()
    {
        var image = Gradient(64, 48);
        var jpeg = JpegCodec.Encode(image, quality: 95);
        Assert.Equal(0xFF, jpeg[0]);
        Assert.Equal(0xD8, jpeg[1]);
        var back = JpegCodec.TryDecode(jpeg);
        Assert.NotNull(back);
        Assert.Equal((64, 48), (back.Width, back.Height));
        double err = 0;
        for (int i = 0; i < image.Pixels.Length; i++) err += Math.Abs(image.Pixels[i] - back.Pixels[i]);
        Assert.True(err / image.Pixels.Length < 3.0, $"mean absolute error {err / image.Pixels.Length:F2}");
    }

    [Fact]
    public void Garbage_does_not_decode()
    {
        Assert.Null(JpegCodec.TryDecode(new byte[] { 0xFF, 0xD8, 1, 2, 3, 4, 0xFF, 0xD9 }));
    }

    [Fact]
    public void A_cut_off_jpeg_does_not_decode()
    {
        var jpeg = JpegCodec.Encode(Gradient(64, 48));
        Assert.Null(JpegCodec.TryDecode(jpeg.AsSpan(0, jpeg.Length / 2)));
    }
}
