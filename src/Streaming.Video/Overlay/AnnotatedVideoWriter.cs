using FFMpegCore;
using FFMpegCore.Pipes;
using SkiaSharp;

namespace Streaming.Video.Overlay;

/// <summary>Encodes annotated frames to an H.264 mp4 by piping them, raw, into ffmpeg.</summary>
public static class AnnotatedVideoWriter
{
    /// <param name="frames">Frames of one size, in order; each is disposed once ffmpeg has it.</param>
    public static async Task WriteAsync(string path, IEnumerable<SKBitmap> frames, double framesPerSecond, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (!(framesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, "frames per second must be positive.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var source = new RawVideoPipeSource(Frames(frames)) { FrameRate = framesPerSecond };
        // yuv420p with even sides: what browsers and phone players decode.
        await FFMpegArguments.FromPipeInput(source, o => o.WithCustomArgument("-hide_banner"))
            .OutputToFile(path, overwrite: true, o => o
                .WithVideoCodec("libx264")
                .WithCustomArgument("-preset veryfast -crf 26 -pix_fmt yuv420p -vf pad=ceil(iw/2)*2:ceil(ih/2)*2 -movflags +faststart"))
            .CancellableThrough(cancellationToken)
            .ProcessAsynchronously(throwOnError: true).ConfigureAwait(false);
        if (!File.Exists(path)) throw new IOException($"ffmpeg exited without writing {path}.");
    }

    static IEnumerable<IVideoFrame> Frames(IEnumerable<SKBitmap> frames)
    {
        foreach (var bitmap in frames)
            using (bitmap)
                yield return new BitmapVideoFrame(bitmap);
    }
}
