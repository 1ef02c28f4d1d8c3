using System.Globalization;
using System.Text;
using Streaming.Models.Tests.Skeletons;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Tests.ModelFolders;

/// <summary>
/// Recorded kinect20 frames as a live source of another layout would send them (no NTU RGB+D or COCO recording is among
/// the shared datasets): the same body and motion, in ntu25 or coco17 (<see cref="LayoutFrames"/>), as another stream.
/// </summary>
static class LayoutStreams
{
    public static SkeletonFrame Ntu25(SkeletonFrame kinect, string stream) =>
        kinect with { Stream = stream, Layout = SkeletonLayout.Ntu25, Joints = Confident(LayoutFrames.Ntu25(kinect.Positions())) };

    public static SkeletonFrame Coco17(SkeletonFrame kinect, string stream) =>
        kinect with { Stream = stream, Layout = SkeletonLayout.Coco17, Joints = Confident(LayoutFrames.Coco17(kinect.Positions())) };

    /// <summary>Frames as an NTU RGB+D <c>.skeleton</c> file (one body per frame, every joint tracked), in the published format.</summary>
    public static void WriteNtuSkeletonFile(string path, IEnumerable<SkeletonFrame> kinectFrames)
    {
        var frames = kinectFrames.ToList();
        var text = new StringBuilder().Append(frames.Count).Append('\n');
        foreach (var f in frames)
        {
            text.Append("1\n72057594037931101 0 1 1 1 1 0 0.02 0.1 2\n25\n");
            var joints = LayoutFrames.Ntu25(f.Positions());
            for (int j = 0; j < 25; j++)
                text.Append(CultureInfo.InvariantCulture, $"{joints[j * 3]} {joints[j * 3 + 1]} {joints[j * 3 + 2]} 250.1 200.2 1000.5 500.6 0.9 0.1 0.2 0.3 2\n");
        }
        File.WriteAllText(path, text.ToString());
    }

    static float[] Confident(float[] positions)
    {
        var joints = new float[positions.Length / 3 * SkeletonFrame.ValuesPerJoint];
        for (int j = 0; j < positions.Length / 3; j++)
        {
            positions.AsSpan(j * 3, 3).CopyTo(joints.AsSpan(j * SkeletonFrame.ValuesPerJoint, 3));
            joints[j * SkeletonFrame.ValuesPerJoint + 3] = 1;
        }
        return joints;
    }
}
