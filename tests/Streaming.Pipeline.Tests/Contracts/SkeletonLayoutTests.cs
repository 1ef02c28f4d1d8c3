using System.Text.Json;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Tests.Contracts;

/// <summary>The contract's layouts are the model side's mapping tables, and the JSON schema names the same ones.</summary>
public class SkeletonLayoutTests
{
    [Fact]
    public void Layouts_AreTheMappingTables()
    {
        Assert.Equal(LayoutMapping.All, SkeletonLayout.All.Select(l => l.Mapping));
        Assert.All(SkeletonLayout.All, l => Assert.Equal((l.Mapping.Name, l.Mapping.JointNames, l.Mapping.JointCount), (l.Name, l.JointNames, l.JointCount)));
        Assert.Equal("spine-shoulder", SkeletonLayout.Ntu25.JointNames[20]);
        Assert.Equal(["hip-center", "nose"], new[] { SkeletonLayout.Kinect20.JointNames[0], SkeletonLayout.Coco17.JointNames[0] });
    }

    [Fact]
    public void Schema_NamesEveryLayoutWithItsJointCount()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "skeleton-frame.v1.schema.json")));
        var layouts = schema.RootElement.GetProperty("properties").GetProperty("layout").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(SkeletonLayout.All.Select(l => l.Name), layouts);
        var counts = schema.RootElement.GetProperty("oneOf").EnumerateArray().ToDictionary(
            e => e.GetProperty("properties").GetProperty("layout").GetProperty("enum")[0].GetString()!,
            e => e.GetProperty("properties").GetProperty("joints").GetProperty("minItems").GetInt32());
        Assert.All(SkeletonLayout.All, l => Assert.Equal(l.JointCount, counts[l.Name]));
    }
}
