using Streaming.Video.Ingest;

namespace Streaming.Video.Tests.Ingest;

/// <summary>Files decoded by ffmpeg through the source: every frame, at the requested size, numbered and timed.</summary>
public class VideoFrameSourceTests
{
    static string Clip(string name) => Path.Combine(RepositoryFiles.Data, "videos", name);

    static async Task<List<CapturedFrame>> ReadAll(VideoFrameSource source, int? take = null)
    {
        var frames = new List<CapturedFrame>();
        await foreach (var frame in source.ReadAsync())
        {
            frames.Add(frame);
            if (frames.Count == take) break;
        }
        return frames;
    }

    [Theory]
    [InlineData("demo.mp4")]
    [InlineData("demo_skeleton.mp4")]
    [InlineData("S001C001P001R001A001_rgb.avi")]
    public async Task File_DecodesEveryFrame_AsFfprobeCountsThem(string clip)
    {
        var path = Clip(clip);
        var source = new VideoFrameSource(VideoSourceAddress.Parse(path), "cam", new VideoSourceOptions { Width = 160, Speed = 0 });
        var frames = await ReadAll(source);

        Assert.Equal(Ffprobe.CountFrames(path), frames.Count);
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.All(frames.Zip(frames.Skip(1)), p => Assert.True(p.Second.CaptureTime > p.First.CaptureTime, $"frame {p.Second.Sequence} is not after {p.First.Sequence}"));
        Assert.All(frames, f => Assert.Equal(160, f.Image.Width));
        Assert.All(frames, f => Assert.Equal(f.Image.Width * f.Image.Height * 3, f.Image.Pixels.Length));
    }

    [Fact]
    public async Task File_CaptureTimes_FollowTheStreamTimestamps()
    {
        // demo.mp4 is 28 fps with constant timestamps: frame k is at k/28 s after the start.
        var source = new VideoFrameSource(VideoSourceAddress.Parse(Clip("demo.mp4")), "cam", new VideoSourceOptions { Width = 68, Speed = 0 });
        var frames = await ReadAll(source);
        var start = frames[0].CaptureTime;
        Assert.All(frames, f => Assert.Equal(f.Sequence / 28.0, (f.CaptureTime - start).TotalSeconds, 3));
    }

    [Theory]
    [InlineData(170, null, true, 170, 128)]
    [InlineData(null, 128, true, 170, 128)]
    [InlineData(100, 100, true, 100, 75)]
    [InlineData(100, 100, false, 100, 100)]
    [InlineData(null, null, true, 340, 256)]
    public async Task File_Scales_KeepingTheAspectRatioUnlessStretched(int? width, int? height, bool keepAspect, int expectedWidth, int expectedHeight)
    {
        var options = new VideoSourceOptions { Width = width, Height = height, KeepAspect = keepAspect, Speed = 0 };
        var frames = await ReadAll(new VideoFrameSource(VideoSourceAddress.Parse(Clip("demo.mp4")), "cam", options), take: 3);
        Assert.All(frames, f => Assert.Equal((expectedWidth, expectedHeight), (f.Image.Width, f.Image.Height)));
    }

    [Fact]
    public async Task File_Loop_KeepsCountingSequenceAndTime()
    {
        var source = new VideoFrameSource(VideoSourceAddress.Parse(Clip("demo.mp4")), "cam", new VideoSourceOptions { Width = 34, Speed = 0, Loop = true });
        var frames = await ReadAll(source, take: 290);
        Assert.Equal(Enumerable.Range(0, 290).Select(i => (long)i), frames.Select(f => f.Sequence));
        // The second pass starts one frame interval after the first pass's last frame: the clock never jumps back.
        var start = frames[0].CaptureTime;
        Assert.Equal(280 / 28.0, (frames[280].CaptureTime - start).TotalSeconds, 3);
        Assert.Equal(289 / 28.0, (frames[289].CaptureTime - start).TotalSeconds, 3);
    }

    [Fact]
    public async Task File_Resampled_HasTheRequestedRate()
    {
        // 280 frames at 28 fps are 10 s: at 14 fps, 140 frames 1/14 s apart.
        var source = new VideoFrameSource(VideoSourceAddress.Parse(Clip("demo.mp4")), "cam", new VideoSourceOptions { Width = 34, Speed = 0, FramesPerSecond = 14 });
        var frames = await ReadAll(source);
        Assert.Equal(140, frames.Count);
        Assert.Equal(1 / 14.0, (frames[1].CaptureTime - frames[0].CaptureTime).TotalSeconds, 3);
    }

    [Fact]
    public async Task File_AtSpeedOne_HandsFramesOutAtTheirCaptureTime()
    {
        var source = new VideoFrameSource(VideoSourceAddress.Parse(Clip("demo.mp4")), "cam", new VideoSourceOptions { Width = 34, Speed = 1 });
        var handedOut = new List<DateTimeOffset>();
        var frames = new List<CapturedFrame>();
        await foreach (var frame in source.ReadAsync())
        {
            handedOut.Add(DateTimeOffset.UtcNow);
            frames.Add(frame);
            if (frames.Count == 15) break;
        }
        // 14 intervals of 1/28 s: half a second, never early.
        Assert.True(handedOut[^1] - handedOut[0] >= TimeSpan.FromSeconds(14 / 28.0 - 0.02), $"15 frames took {(handedOut[^1] - handedOut[0]).TotalMilliseconds} ms");
        // Timers may fire a millisecond or so before their due time.
        Assert.All(frames.Zip(handedOut), p => Assert.True(p.Second >= p.First.CaptureTime - TimeSpan.FromMilliseconds(5),
            $"frame {p.First.Sequence} came {(p.First.CaptureTime - p.Second).TotalMilliseconds} ms early"));
    }

    [Fact]
    public async Task File_NotAVideo_FailsWithFfmpegsReason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-video-{Guid.NewGuid():N}.mp4");
        await File.WriteAllTextAsync(path, "these bytes are not a video");
        try
        {
            var source = new VideoFrameSource(VideoSourceAddress.Parse(path), "cam");
            var e = await Assert.ThrowsAsync<VideoSourceException>(() => ReadAll(source));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("Invalid data", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
