using FFMpegCore.Pipes;
using SkiaSharp;

namespace Streaming.Video.Overlay;

/// <summary>An RGBA bitmap as one raw frame of ffmpeg's input pipe.</summary>
sealed class BitmapVideoFrame(SKBitmap bitmap) : IVideoFrame
{
    public int Width => bitmap.Width;
    public int Height => bitmap.Height;
    public string PixelFormat => "rgba";

    public void Serialize(Stream pipe) => pipe.Write(bitmap.GetPixelSpan());

    public async Task SerializeAsync(Stream pipe, CancellationToken token) => await pipe.WriteAsync(bitmap.Bytes, token).ConfigureAwait(false);
}
