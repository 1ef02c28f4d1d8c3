using Streaming.Pipeline.Contracts;
using Streaming.Service.Demo;

namespace Streaming.Service.Tests.Demo;

public sealed class CameraDemoRecorderTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Window <paramref name="id"/> of 30 frames every 3 at 15 fps, recognizing <paramref name="label"/>.</summary>
    static ActionPrediction Window(long id, string label)
    {
        long last = id * 3 + 29;
        var end = Start + TimeSpan.FromSeconds(last / 15.0);
        return new ActionPrediction("cam", id, Start + TimeSpan.FromSeconds(id * 3 / 15.0), end, new RecognizedAction(label, 0.9, []), [], [], "m", 10)
        {
            LastFrame = new FrameKeypoints(last, end, 320, 240, "coco17", Enumerable.Range(0, 17).Select(_ => new float[] { 1, 2, 0.5f }).ToList()),
        };
    }

    [Fact]
    public void Overlay_EachFrameGetsTheLatestWindowEndingAtOrBeforeIt_InAnyArrivalOrder()
    {
        var recorder = new CameraDemoRecorder();
        foreach (var id in new long[] { 1, 0, 2 }) recorder.Add(Window(id, id == 2 ? "wave_hands" : "walk"), Start);

        var overlay = recorder.Overlay("cam");

        Assert.Null(overlay(28));
        Assert.Equal(0, overlay(29)!.WindowId);
        Assert.Equal(0, overlay(31)!.WindowId);
        Assert.Equal(1, overlay(32)!.WindowId);
        Assert.Equal(2, overlay(100)!.WindowId);
        Assert.Null(recorder.Overlay("other")(100));
    }

    [Fact]
    public void Timeline_RecognizedRuns_NoGroundTruth()
    {
        var recorder = new CameraDemoRecorder();
        foreach (var id in new long[] { 0, 1, 2 }) recorder.Add(Window(id, id == 2 ? "wave_hands" : "walk"), Start);

        var timeline = recorder.Timeline("cam", frames: 45, framesPerSecond: 15, lead: 2);

        Assert.Empty(timeline.Truth);
        Assert.Equal(3, timeline.Duration, 9);
        Assert.Equal([new TimelineSegment("walk", 2, 2.4), new TimelineSegment("wave_hands", 2.4, 3)],
            timeline.Recognized.Select(s => s with { Start = Math.Round(s.Start, 9), End = Math.Round(s.End, 9) }));
    }
}
