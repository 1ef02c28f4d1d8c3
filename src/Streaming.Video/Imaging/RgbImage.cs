namespace Streaming.Video.Imaging;

/// <summary>A decoded frame: rows of packed 8-bit R, G, B, top row first (the layout of ffmpeg's rgb24).</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public static RgbImage Create(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != (long)width * height * 3)
            throw new ArgumentException($"rgb24 {width}x{height} needs {(long)width * height * 3} bytes, got {pixels.Length}.", nameof(pixels));
        return new RgbImage(width, height, pixels);
    }
}
