using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;

namespace Streaming.Models.Tests.Skeletons;

/// <summary>
/// Frames of every layout as the canonical skeleton. No NTU RGB+D or COCO recording is among the shared datasets, so
/// their frames are a real UTKinect frame (s01_e01, first frame) written in their layouts (<see cref="LayoutFrames"/>).
/// </summary>
public class CanonicalSkeletonTests
{
    static readonly float[] Kinect = UtKinect.Load(SharedData.Path("utkinect-action3d")).Single(r => r.Take == "s01_e01").Skeletons.Frame(0).ToArray();

    static float Length(ReadOnlySpan<float> v)
    {
        float sum = 0;
        foreach (var x in v) sum += x * x;
        return MathF.Sqrt(sum);
    }

    static void AssertBodyCentredAndUnitScaled(CanonicalPose pose)
    {
        Assert.Equal(CanonicalSkeleton.JointCount * pose.Dimensions, pose.Positions.Length);
        Assert.All(pose.Joint(CanonicalJoint.Pelvis).ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(1f, Length(pose.Joint(CanonicalJoint.ShoulderCenter)), 1e-5f);
        // Upright: the head is above the shoulders, the feet below the pelvis, whatever the layout's own y axis.
        Assert.True(pose.Joint(CanonicalJoint.Head)[1] > pose.Joint(CanonicalJoint.ShoulderCenter)[1]);
        Assert.True(pose.Joint(CanonicalJoint.FootLeft)[1] < -1 && pose.Joint(CanonicalJoint.FootRight)[1] < -1);
    }

    [Fact]
    public void UtKinectFrame_IsBodyCentredAndUnitScaled()
    {
        var pose = CanonicalSkeleton.Normalize(LayoutMapping.Kinect20, Kinect);
        Assert.Equal(3, pose.Dimensions);
        AssertBodyCentredAndUnitScaled(pose);
        // Hip centre (0.807139, -0.063421, 1.998671) to shoulder centre (0.830225, 0.286360, 1.971896), in metres.
        Assert.Equal(0.351558f, pose.TorsoLength, 1e-5f);
        Assert.Equal((0.780868f - 0.807139f) / 0.351558f, pose.Joint(CanonicalJoint.Head)[0], 1e-4f);
        Assert.Equal((0.472591f + 0.063421f) / 0.351558f, pose.Joint(CanonicalJoint.Head)[1], 1e-4f);
    }

    [Fact]
    public void NtuFrame_IsTheSameCanonicalSkeleton()
    {
        var ntu = LayoutFrames.Ntu25(Kinect);
        var pose = CanonicalSkeleton.Normalize(LayoutMapping.Ntu25, ntu);
        Assert.Equal(CanonicalSkeleton.Normalize(LayoutMapping.Kinect20, Kinect).Positions, pose.Positions);
        // Neck, hand tips and thumbs are not canonical: moving them changes nothing.
        foreach (var extra in new[] { 2, 21, 22, 23, 24 }) ntu[extra * 3 + 1] += 5;
        Assert.Equal(pose.Positions, CanonicalSkeleton.Normalize(LayoutMapping.Ntu25, ntu).Positions);
    }

    [Fact]
    public void Coco17Frame_Is2D_CentredOnMidHips_UpIsUp()
    {
        var coco = LayoutFrames.Coco17(Kinect);
        var pose = CanonicalSkeleton.Normalize(LayoutMapping.Coco17, coco);
        Assert.Equal(2, pose.Dimensions);
        AssertBodyCentredAndUnitScaled(pose);
        // The pelvis is mid-hips, so the hips are symmetric about the origin; hands and feet are the wrists and ankles.
        Assert.Equal(-pose.Joint(CanonicalJoint.HipLeft)[0], pose.Joint(CanonicalJoint.HipRight)[0], 1e-5f);
        Assert.Equal(pose.Joint(CanonicalJoint.WristLeft).ToArray(), pose.Joint(CanonicalJoint.HandLeft).ToArray());
        Assert.Equal(pose.Joint(CanonicalJoint.AnkleRight).ToArray(), pose.Joint(CanonicalJoint.FootRight).ToArray());
        // The torso in pixels: 500 px per metre of the 2-D (x, y) distance from mid-hips to mid-shoulders.
        Assert.InRange(pose.TorsoLength, 100, 250);
    }

    [Fact]
    public void Projection_Of3DLayouts_DropsDepthAndScalesByThe2DTorso()
    {
        var full = CanonicalSkeleton.Normalize(LayoutMapping.Kinect20, Kinect);
        var flat = CanonicalSkeleton.Project(LayoutMapping.Kinect20, Kinect);
        Assert.Equal(2, flat.Dimensions);
        AssertBodyCentredAndUnitScaled(flat);
        float ratio = full.TorsoLength / flat.TorsoLength;
        Assert.True(ratio > 1, "the torso leans, so its image-plane length is shorter");
        for (int c = 0; c < CanonicalSkeleton.JointCount; c++)
            for (int k = 0; k < 2; k++) Assert.Equal(full.Positions[c * 3 + k] * ratio, flat.Positions[c * 2 + k], 1e-4f);
    }

    [Fact]
    public void BadFrames_SayWhatIsWrong()
    {
        var e = Assert.Throws<ArgumentException>(() => CanonicalSkeleton.Normalize(LayoutMapping.Ntu25, Kinect));
        Assert.Contains("60 values are not ntu25's 25 joints x 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => CanonicalSkeleton.Normalize(LayoutMapping.Kinect20, new float[60]));
        Assert.Contains("holds no body", e.Message, StringComparison.Ordinal);
        var nan = (float[])Kinect.Clone();
        nan[0] = float.NaN;
        Assert.Contains("holds no body", Assert.Throws<ArgumentException>(() => CanonicalSkeleton.Normalize(LayoutMapping.Kinect20, nan)).Message, StringComparison.Ordinal);
    }
}
