using SkiaSharp;
using Streaming.Video.Overlay;

namespace Streaming.Video.Tests.Overlay;

public sealed class ContactSheetTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("contact-sheet-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static SKBitmap Solid(int width, int height, SKColor colour)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(colour);
        return bitmap;
    }

    [Fact]
    public void Write_ARowPerClip_FramesScaledToTheCellWidth()
    {
        using SKBitmap wide = Solid(320, 180, SKColors.Red), square = Solid(200, 200, SKColors.Blue), other = Solid(320, 180, SKColors.Lime);
        var path = Path.Combine(folder, "sheet.png");

        ContactSheet.Write(path, [new ContactSheetRow("wide", [wide, wide, wide]), new ContactSheetRow("square", [square])], cellWidth: 100);

        using var sheet = SKBitmap.Decode(path);
        // 4 px gaps; rows of a 20 px title and the tallest scaled frame (56 and 100 px).
        Assert.Equal((4 + 3 * 104, 4 + (20 + 56 + 4) + (20 + 100 + 4)), (sheet.Width, sheet.Height));
        Assert.Equal(SKColors.Red, sheet.GetPixel(4 + 104 + 50, 4 + 20 + 28));
        Assert.Equal(SKColors.Blue, sheet.GetPixel(4 + 50, 4 + 80 + 20 + 50));
    }
}
