using Streaming.Models.Datasets;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>A UTKinect take as the kinect20 frames a live camera would send (the replay itself lives in the service).</summary>
public static class UtKinectFrames
{
    /// <summary>Frame t at origin + (frame id - first frame id) / 30 s, numbered t, every joint fully confident.</summary>
    public static IEnumerable<SkeletonFrame> Of(UtKinectRecording take, string stream, DateTimeOffset origin)
    {
        var s = take.Skeletons;
        for (int t = 0; t < s.Frames; t++)
        {
            var joints = new float[s.Joints * SkeletonFrame.ValuesPerJoint];
            var positions = s.Frame(t);
            for (int j = 0; j < s.Joints; j++)
            {
                positions.Slice(j * 3, 3).CopyTo(joints.AsSpan(j * SkeletonFrame.ValuesPerJoint, 3));
                joints[j * SkeletonFrame.ValuesPerJoint + 3] = 1f;
            }
            yield return new SkeletonFrame(stream, origin + TimeSpan.FromSeconds((take.FrameIds[t] - take.FrameIds[0]) / UtKinect.FramesPerSecond), t, SkeletonLayout.Kinect20, joints);
        }
    }
}
