using SkiaSharp;
using Streaming.Video.Imaging;
using Streaming.Video.Overlay;

namespace Streaming.Video.Tests.Overlay;

public sealed class PoseOverlayTests
{
    static RgbImage Grey(int width, int height) => RgbImage.Create(width, height, Enumerable.Repeat((byte)128, width * height * 3).ToArray());

    /// <summary>A standing figure: head at the top, feet at the bottom, all keypoints sure except the left ankle.</summary>
    static List<float[]> Figure()
    {
        var points = new List<float[]>();
        for (var j = 0; j < 17; j++) points.Add([100 + (j % 2 == 0 ? 10 : -10), 20 + j * 8, 0.9f]);
        points[15][2] = 0.05f;
        return points;
    }

    [Fact]
    public void Draw_KeypointsBonesAndCaption_OverTheFrame()
    {
        using var bitmap = PoseOverlay.Draw(Grey(320, 200), Figure(), "walk 0.82");

        Assert.Equal((320, 200), (bitmap.Width, bitmap.Height));
        var k = Figure();
        // A joint is drawn where its keypoint is; the unsure one is left out, so the frame shows through there.
        Assert.Equal(new SKColor(255, 60, 120), bitmap.GetPixel((int)k[5][0], (int)k[5][1]));
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel((int)k[15][0], (int)k[15][1]));
        // The bone from the left shoulder (5) to the left elbow (7) passes through their midpoint.
        Assert.Equal(new SKColor(0, 230, 255), bitmap.GetPixel((int)((k[5][0] + k[7][0]) / 2), (int)((k[5][1] + k[7][1]) / 2)));
        // The caption sits on a dark box in the top left corner; far from it and from the figure the frame is unchanged.
        Assert.True(bitmap.GetPixel(2, 2).Red < 60);
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(300, 190));
    }

    [Fact]
    public void Draw_NoPredictionYet_OnlyTheCaption()
    {
        using var bitmap = PoseOverlay.Draw(Grey(64, 48), null, null);

        Assert.All(Enumerable.Range(0, 64), x => Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(x, 24)));
    }
}
