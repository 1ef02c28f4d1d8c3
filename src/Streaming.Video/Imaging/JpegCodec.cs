using System.Runtime.InteropServices;
using SkiaSharp;

namespace Streaming.Video.Imaging;

/// <summary>JPEG to and from <see cref="RgbImage"/>, in process through SkiaSharp (libjpeg-turbo).</summary>
public static class JpegCodec
{
    public static byte[] Encode(RgbImage image, int quality = 85)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[image.Width * image.Height * 4];
        var rgb = image.Pixels;
        for (int p = 0, q = 0; p < rgb.Length; p += 3, q += 4)
        {
            rgba[q] = rgb[p];
            rgba[q + 1] = rgb[p + 1];
            rgba[q + 2] = rgb[p + 2];
            rgba[q + 3] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    /// <summary>Decodes a JPEG; null when the bytes are not a decodable image (corrupt or cut off).</summary>
    public static RgbImage? TryDecode(ReadOnlySpan<byte> jpeg)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        return result is SKCodecResult.Success ? FromBitmap(bitmap) : null;
    }

    internal static RgbImage FromBitmap(SKBitmap bitmap)
    {
        var rgba = bitmap.GetPixelSpan();
        int w = bitmap.Width, h = bitmap.Height, stride = bitmap.RowBytes;
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            var row = rgba.Slice(y * stride, w * 4);
            for (int x = 0, q = y * w * 3; x < w; x++, q += 3)
            {
                rgb[q] = row[x * 4];
                rgb[q + 1] = row[x * 4 + 1];
                rgb[q + 2] = row[x * 4 + 2];
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
