using SkiaSharp;

namespace Streaming.Video.Overlay;

/// <summary>One row of annotated frames sampled over a clip, with the clip's name above it.</summary>
public sealed record ContactSheetRow(string Title, IReadOnlyList<SKBitmap> Frames);

/// <summary>A PNG grid of annotated frames: a row per clip, each frame scaled to one cell width.</summary>
public static class ContactSheet
{
    const int Gap = 4, TitleHeight = 20;

    public static void Write(string path, IReadOnlyList<ContactSheetRow> rows, int cellWidth)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellWidth, 16);
        var columns = rows.Max(r => r.Frames.Count);
        var heights = rows.Select(r => r.Frames.Count == 0 ? 0 : r.Frames.Max(f => (int)Math.Round(f.Height * (double)cellWidth / f.Width))).ToList();
        var width = Gap + columns * (cellWidth + Gap);
        var height = Gap + heights.Sum(h => TitleHeight + h + Gap);
        using var sheet = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(sheet))
        {
            canvas.Clear(new SKColor(24, 24, 24));
            using var font = new SKFont(PoseOverlay.Typeface, 13);
            using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
            using var sampling = new SKPaint { IsAntialias = true };
            float y = Gap;
            for (var r = 0; r < rows.Count; r++)
            {
                canvas.DrawText(rows[r].Title, Gap, y + 14, SKTextAlign.Left, font, text);
                y += TitleHeight;
                for (var c = 0; c < rows[r].Frames.Count; c++)
                {
                    var frame = rows[r].Frames[c];
                    var cellHeight = (float)Math.Round(frame.Height * (double)cellWidth / frame.Width);
                    using var image = SKImage.FromBitmap(frame);
                    canvas.DrawImage(image, SKRect.Create(Gap + c * (cellWidth + Gap), y, cellWidth, cellHeight), new SKSamplingOptions(SKCubicResampler.Mitchell), sampling);
                }
                y += heights[r] + Gap;
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Every row filter and zlib's best level: photographs compress poorly, and the sheet is meant to be shared.
        using var pixels = sheet.PeekPixels();
        using var png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 9)) ?? throw new InvalidOperationException("SkiaSharp could not encode the contact sheet as PNG.");
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}
