using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;
using Streaming.Pipeline.Contracts;
using Streaming.Video.Imaging;

namespace Streaming.Video.Tests.Fixtures;

/// <summary>
/// Synthetic camera frames for the frame path: a stick figure whose 17 COCO keypoints are drawn as discs, each in its
/// own colour (<see cref="Colors"/>), on a grey background, rendered with SkiaSharp and encoded as JPEG.
/// <see cref="MarkerPoseModel"/> finds the discs again.
/// </summary>
public static class MarkerFrames
{
    public const int Width = 320, Height = 240, Radius = 5;

    public static readonly SKColor Background = new(128, 128, 128);

    /// <summary>
    /// Keypoint j's colour: the levels 0, 128 and 255 per channel, grey left out. Any two differ by at least 127 in a
    /// channel, and a JPEG edge between a disc and the grey background blends to a value 64 off every level.
    /// </summary>
    public static readonly SKColor[] Colors =
        [.. (from r in new byte[] { 0, 128, 255 } from g in new byte[] { 0, 128, 255 } from b in new byte[] { 0, 128, 255 } select new SKColor(r, g, b))
            .Where(c => c != Background).Take(17)];

    /// <summary>The figure at <paramref name="seconds"/>: 17 x 2 (x, y) in pixels, COCO order; the arms wave once a second.</summary>
    public static float[] Pose(double seconds, float shift = 0)
    {
        var swing = (float)Math.Sin(2 * Math.PI * seconds);
        float cx = 160 + shift;
        (float X, float Y)[] points =
        [
            (cx, 40),                                           // nose
            (cx - 10, 30), (cx + 10, 30),                       // eyes
            (cx - 22, 38), (cx + 22, 38),                       // ears
            (cx - 30, 70), (cx + 30, 70),                       // shoulders
            (cx - 50, 95 - 30 * swing), (cx + 50, 95 - 30 * swing),   // elbows
            (cx - 60, 120 - 60 * swing), (cx + 60, 120 - 60 * swing), // wrists
            (cx - 20, 140), (cx + 20, 140),                     // hips
            (cx - 22, 180), (cx + 22, 180),                     // knees
            (cx - 24, 220), (cx + 24, 220),                     // ankles
        ];
        return [.. points.SelectMany(p => new[] { p.X, p.Y })];
    }

    public static RgbImage Render(float[] pose)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(Background);
            for (int j = 0; j < 17; j++)
            {
                using var paint = new SKPaint { Color = Colors[j], IsAntialias = false, Style = SKPaintStyle.Fill };
                canvas.DrawCircle(pose[2 * j], pose[2 * j + 1], Radius, paint);
            }
        }
        var rgba = new byte[Width * Height * 4];
        Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        var rgb = new byte[Width * Height * 3];
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3) (rgb[q], rgb[q + 1], rgb[q + 2]) = (rgba[p], rgba[p + 1], rgba[p + 2]);
        return RgbImage.Create(Width, Height, rgb);
    }

    public static byte[] Jpeg(float[] pose) => JpegCodec.Encode(Render(pose), quality: 95);

    /// <summary>Frame <paramref name="seq"/> of a 30 fps camera starting at <paramref name="start"/>, as JPEG.</summary>
    public static VideoFrame Frame(string stream, long seq, DateTimeOffset start, float shift = 0)
    {
        var time = start + TimeSpan.FromTicks(seq * TimeSpan.TicksPerSecond / 30);
        return new VideoFrame(stream, VideoFormat.Jpeg, Width, Height, time, seq, Jpeg(Pose((time - start).TotalSeconds, shift)));
    }

    /// <summary>The Kafka headers of <paramref name="frame"/> (the VideoFrame contract).</summary>
    public static List<KeyValuePair<string, byte[]>> Headers(VideoFrame frame) =>
    [
        new(VideoFrame.FormatHeader, "jpeg"u8.ToArray()),
        new(VideoFrame.WidthHeader, Utf8(frame.Width.ToString(CultureInfo.InvariantCulture))),
        new(VideoFrame.HeightHeader, Utf8(frame.Height.ToString(CultureInfo.InvariantCulture))),
        new(VideoFrame.TimeHeader, Utf8(frame.CaptureTime.ToString("O", CultureInfo.InvariantCulture))),
        new(VideoFrame.SequenceHeader, Utf8(frame.Sequence.ToString(CultureInfo.InvariantCulture))),
    ];

    static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);
}
