using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Models.Datasets;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Datasets;

/// <summary>Real MSR Action3D skeletons (kinect20) through the wire format and the window builder.</summary>
public class MsrAction3DWindowTests
{
    [Fact]
    public void RealSkeletons_AsJson_ParseAndWindow()
    {
        // a01_s01_e01: "high arm wave", 54 tracked frames (SOURCE.md), the Kinect's 15 fps.
        var skeletons = MsrAction3D.ReadSkeletons(SharedData.Path("msr-action3d", "skeleton3D", "a01_s01_e01_skeleton3D.txt"));
        Assert.Equal(54, skeletons.Frames);
        var clock = new HistoricalScheduler(SkeletonFrames.T0.AddMinutes(1));
        var acks = new AckLog();
        var messages = new List<InputMessage>();
        for (int t = 0; t < skeletons.Frames; t++)
        {
            var joints = new float[MsrAction3D.Joints * SkeletonFrame.ValuesPerJoint];
            var positions = skeletons.Frame(t);
            for (int j = 0; j < MsrAction3D.Joints; j++)
            {
                positions.Slice(j * 3, 3).CopyTo(joints.AsSpan(j * 4, 3));
                joints[j * 4 + 3] = 1;
            }
            var frame = new SkeletonFrame("msr-a01-s01-e01", SkeletonFrames.T0.AddMilliseconds(t * 1000.0 / 15), t, SkeletonLayout.Kinect20, joints);
            messages.Add(new InputMessage(frame.Stream, SkeletonFrameJson.Serialize(frame), acks.NewToken()));
        }
        using var telemetry = new PipelineTelemetry();
        var windows = new List<Observation>();
        messages.ToObservable(clock)
            .ParseSkeletons(telemetry)
            .WindowPerStream(WindowOptions.ByFrames(16, 8), clock, telemetry)
            .Subscribe(windows.Add);
        clock.Start();

        // 16-frame windows every 8 frames over 54 frames: starts 0, 8, ..., 32; frames 48..53 never fill one.
        Assert.Equal([0L, 8, 16, 24, 32], windows.Select(w => w.Frames[0].Sequence));
        Assert.All(windows, w => Assert.Equal(16, w.Frames.Count));
        Assert.Equal(-0.371736f, windows[0].Frames[0].Joint(0)[0], 5);
        Assert.Equal(skeletons.Frame(53)[59], SkeletonFrameJson.Parse(messages[53].Value.Span).Value!.Joint(19)[2], 5);
        // Positions once per window, joint order as sent; the take so far holds every frame windowed up to the window.
        Assert.All(windows, w => Assert.Equal(skeletons.Positions.AsSpan((int)w.Frames[0].Sequence * 60, 16 * 60).ToArray(), w.Positions!.Positions));
        Assert.Equal([16, 24, 32, 40, 48], windows.Select(w => w.Take!.Frames.Count));
        Assert.Equal(skeletons.Frame(47).ToArray(), windows[^1].Take!.Frames[^1].ToArray());
        Assert.All(windows, w => Assert.Equal((SkeletonFrames.T0, w.End), (w.Take!.Start, w.Take.End)));
        Assert.All(Enumerable.Range(48, 6), id => Assert.Equal("incomplete-window", acks.ReasonOf(id)));
    }
}
