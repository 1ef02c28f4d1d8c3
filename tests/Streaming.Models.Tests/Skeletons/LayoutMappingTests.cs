using Streaming.Models.Skeletons;

namespace Streaming.Models.Tests.Skeletons;

public class LayoutMappingTests
{
    public static TheoryData<string> Layouts => new(LayoutMapping.All.Select(l => l.Name));

    static LayoutMapping Layout(string name) => LayoutMapping.TryFind(name, out var layout) ? layout : throw new ArgumentException(name);

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Table_EveryCanonicalJointComesFromRealJoints(string name)
    {
        var layout = Layout(name);
        Assert.Equal(Enum.GetValues<CanonicalJoint>(), layout.Sources.Select(s => s.Joint));
        Assert.All(layout.Sources, s =>
        {
            Assert.NotEmpty(s.From);
            Assert.All(s.From, joint => Assert.Contains(joint, layout.JointNames));
            Assert.Equal(s.From.Select(j => layout.JointNames.ToList().IndexOf(j)), layout.SourceOf(s.Joint).ToArray());
            // A joint the layout has is one joint; a derived one says how it is derived.
            if (!s.IsDerived) Assert.Single(s.From);
        });
        Assert.Equal(layout.JointNames.Count, layout.JointNames.Distinct().Count());
    }

    [Fact]
    public void Tables_StateTheMappingChoices()
    {
        Assert.True(LayoutMapping.Kinect20.IsCanonicalOrder);
        Assert.Equal(CanonicalSkeleton.JointNames.Skip(1), LayoutMapping.Kinect20.JointNames.Skip(1));
        Assert.Equal(["hip-center"], LayoutMapping.Kinect20.Sources[(int)CanonicalJoint.Pelvis].From);
        Assert.All(LayoutMapping.Kinect20.Sources.Concat(LayoutMapping.Ntu25.Sources), s => Assert.False(s.IsDerived));

        var ntu = LayoutMapping.Ntu25;
        Assert.False(ntu.IsCanonicalOrder);
        Assert.Equal(["spine-base"], ntu.Sources[(int)CanonicalJoint.Pelvis].From);
        Assert.Equal(["spine-mid"], ntu.Sources[(int)CanonicalJoint.Spine].From);
        Assert.Equal(["spine-shoulder"], ntu.Sources[(int)CanonicalJoint.ShoulderCenter].From);
        Assert.Equal(["neck", "hand-tip-left", "thumb-left", "hand-tip-right", "thumb-right"], Unused(ntu));

        var coco = LayoutMapping.Coco17;
        Assert.False(coco.HasDepth);
        Assert.True(coco.YDown);
        Assert.Empty(Unused(coco));
        Assert.Equal([CanonicalJoint.Pelvis, CanonicalJoint.Spine, CanonicalJoint.ShoulderCenter, CanonicalJoint.Head,
            CanonicalJoint.HandLeft, CanonicalJoint.HandRight, CanonicalJoint.FootLeft, CanonicalJoint.FootRight],
            coco.Sources.Where(s => s.IsDerived).Select(s => s.Joint));
        Assert.Equal(["hip-left", "hip-right"], coco.Sources[(int)CanonicalJoint.Pelvis].From);
        Assert.Equal(["nose", "eye-left", "eye-right", "ear-left", "ear-right"], coco.Sources[(int)CanonicalJoint.Head].From);
        Assert.Equal(["wrist-left"], coco.Sources[(int)CanonicalJoint.HandLeft].From);
        Assert.Equal(["ankle-right"], coco.Sources[(int)CanonicalJoint.FootRight].From);
    }

    static IEnumerable<string> Unused(LayoutMapping layout) => layout.JointNames.Except(layout.Sources.SelectMany(s => s.From));

    [Fact]
    public void Constructor_BrokenTables_SayWhatIsWrong()
    {
        var sources = LayoutMapping.Kinect20.Sources;
        var names = LayoutMapping.Kinect20.JointNames;
        string Error(IReadOnlyList<string> jointNames, IReadOnlyList<JointSource> table) =>
            Assert.Throws<ArgumentException>(() => new LayoutMapping("broken", jointNames, hasDepth: true, yDown: false, table)).Message;

        Assert.Contains("'pelvis', which is not one of its joints", Error(names, [new(CanonicalJoint.Pelvis, ["pelvis"]), .. sources.Skip(1)]), StringComparison.Ordinal);
        Assert.Contains("19 joint sources", Error(names, [.. sources.Skip(1)]), StringComparison.Ordinal);
        Assert.Contains("expected Pelvis", Error(names, [sources[1], sources[0], .. sources.Skip(2)]), StringComparison.Ordinal);
        Assert.Contains("Pelvis comes from no joint", Error(names, [new(CanonicalJoint.Pelvis, []), .. sources.Skip(1)]), StringComparison.Ordinal);
        Assert.Contains("'head' is named twice", Error([.. names, "head"], sources), StringComparison.Ordinal);
    }
}
