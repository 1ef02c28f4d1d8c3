using SkiaSharp;
using Streaming.Video.Imaging;

namespace Streaming.Video.Overlay;

/// <summary>
/// Draws what the service said about a camera frame over it: the COCO-17 keypoints and the lines of the skeleton between
/// them (joints below <see cref="MinScore"/> left out), and a caption such as "walk 0.82" in the top left corner.
/// </summary>
public static class PoseOverlay
{
    /// <summary>Keypoints the pose model scored lower than this are not drawn: they are guesses.</summary>
    public const float MinScore = 0.2f;

    /// <summary>COCO-17's skeleton: face, arms, torso, legs.</summary>
    static readonly (int From, int To)[] Bones =
    [
        (0, 1), (0, 2), (1, 3), (2, 4),
        (5, 7), (7, 9), (6, 8), (8, 10),
        (5, 6), (5, 11), (6, 12), (11, 12),
        (11, 13), (13, 15), (12, 14), (14, 16),
    ];

    internal static readonly SKTypeface Typeface = LoadTypeface();

    /// <summary>A bold sans-serif face; SkiaSharp's Linux build without fontconfig has no default with glyphs.</summary>
    static SKTypeface LoadTypeface()
    {
        foreach (var path in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf" })
            if (File.Exists(path) && SKTypeface.FromFile(path) is { } face) return face;
        return SKTypeface.Default;
    }

    /// <summary>The frame as a bitmap with <paramref name="keypoints"/> (x, y in the frame's pixels, score) and <paramref name="caption"/> drawn on it.</summary>
    public static SKBitmap Draw(RgbImage frame, IReadOnlyList<float[]>? keypoints, string? caption)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var bitmap = new SKBitmap(new SKImageInfo(frame.Width, frame.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[frame.Width * frame.Height * 4];
        for (int i = 0, j = 0; i < frame.Pixels.Length; i += 3, j += 4)
            (rgba[j], rgba[j + 1], rgba[j + 2], rgba[j + 3]) = (frame.Pixels[i], frame.Pixels[i + 1], frame.Pixels[i + 2], 255);
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);

        using var canvas = new SKCanvas(bitmap);
        // Line widths and text follow the frame's size, so a 1080p frame and a thumbnail read alike.
        var unit = Math.Max(frame.Width, frame.Height) / 320f;
        if (keypoints is { Count: 17 }) DrawSkeleton(canvas, keypoints, unit);
        if (caption is not null) DrawCaption(canvas, caption, unit);
        return bitmap;
    }

    static void DrawSkeleton(SKCanvas canvas, IReadOnlyList<float[]> k, float unit)
    {
        using var bone = new SKPaint { Color = new SKColor(0, 230, 255), StrokeWidth = 2f * unit, IsAntialias = true, StrokeCap = SKStrokeCap.Round };
        using var joint = new SKPaint { Color = new SKColor(255, 60, 120), IsAntialias = true };
        using var rim = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.8f * unit };
        foreach (var (a, b) in Bones)
            if (k[a][2] >= MinScore && k[b][2] >= MinScore) canvas.DrawLine(k[a][0], k[a][1], k[b][0], k[b][1], bone);
        foreach (var p in k)
            if (p[2] >= MinScore)
            {
                canvas.DrawCircle(p[0], p[1], 3f * unit, joint);
                canvas.DrawCircle(p[0], p[1], 3f * unit, rim);
            }
    }

    static void DrawCaption(SKCanvas canvas, string caption, float unit)
    {
        using var font = new SKFont(Typeface, 13f * unit);
        using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var box = new SKPaint { Color = new SKColor(0, 0, 0, 170) };
        var width = font.MeasureText(caption);
        float pad = 4 * unit, height = font.Size * 1.3f;
        canvas.DrawRect(0, 0, width + 2 * pad, height + pad, box);
        canvas.DrawText(caption, pad, font.Size + pad * 0.5f, SKTextAlign.Left, font, text);
    }
}
