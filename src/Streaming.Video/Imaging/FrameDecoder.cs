using SkiaSharp;
using Streaming.Pipeline.Contracts;

namespace Streaming.Video.Imaging;

/// <summary>A camera frame's payload to pixels: rgb24 as it is, JPEG decoded in process (SkiaSharp, libjpeg-turbo).</summary>
public static class FrameDecoder
{
    /// <summary>
    /// The frame's image, or why there is none: <c>corrupt-jpeg</c> (the JPEG's header or its compressed data do not
    /// decode) or <c>frame-size</c> (the JPEG is not of the size the width and height headers say; checked from the JPEG's
    /// header, before any pixel is decoded).
    /// </summary>
    public static Parsed<RgbImage> Decode(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Format == VideoFormat.Rgb24)
            return Parsed<RgbImage>.Ok(RgbImage.Create(frame.Width, frame.Height, frame.Payload.ToArray()));

        using var data = SKData.CreateCopy(frame.Payload.Span);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var opened);
        if (codec is null)
            return Parsed<RgbImage>.Fail(RejectionReason.CorruptJpeg, $"seq {frame.Sequence}: the JPEG's header does not decode ({opened}).");
        if (codec.Info.Width != frame.Width || codec.Info.Height != frame.Height)
            return Parsed<RgbImage>.Fail(RejectionReason.FrameSize,
                $"seq {frame.Sequence}: the JPEG is {codec.Info.Width}x{codec.Info.Height}, its headers say {frame.Width}x{frame.Height}.");
        var info = new SKImageInfo(frame.Width, frame.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        return decoded is SKCodecResult.Success
            ? Parsed<RgbImage>.Ok(JpegCodec.FromBitmap(bitmap))
            : Parsed<RgbImage>.Fail(RejectionReason.CorruptJpeg, $"seq {frame.Sequence}: the JPEG's compressed data do not decode ({decoded}).");
    }
}
