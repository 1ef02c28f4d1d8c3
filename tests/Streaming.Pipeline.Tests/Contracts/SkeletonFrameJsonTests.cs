using System.Text;
using NJsonSchema;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Pipeline.Tests.Contracts;

public class SkeletonFrameJsonTests
{
    static Parsed<SkeletonFrame> Parse(string json) => SkeletonFrameJson.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("kinect20", 20)]
    [InlineData("ntu25", 25)]
    [InlineData("coco17", 17)]
    public void Parse_EachLayout_ReadsEveryJoint(string layout, int joints)
    {
        var parsed = Parse(SkeletonFrames.Json(layout: $"\"{layout}\"", joints: joints, jointValue: "[0.5,-1.25,2.75,0.9]", seq: 41));
        Assert.True(parsed.IsValid, parsed.Rejection?.ToString());
        Assert.Equal(layout, parsed.Value.Layout.Name);
        Assert.Equal(joints, parsed.Value.Layout.JointNames.Count);
        Assert.Equal(41, parsed.Value.Sequence);
        Assert.Equal(new[] { 0.5f, -1.25f, 2.75f, 0.9f }, parsed.Value.Joint(joints - 1).ToArray());
        Assert.Equal(SkeletonFrames.T0, parsed.Value.CaptureTime);
    }

    [Fact]
    public void Serialize_ThenParse_RoundTrips()
    {
        var frame = SkeletonFrames.Make("cam-7", 12, SkeletonFrames.T0.AddMilliseconds(33.3), SkeletonLayout.Ntu25);
        var parsed = SkeletonFrameJson.Parse(SkeletonFrameJson.Serialize(frame));
        Assert.True(parsed.IsValid, parsed.Rejection?.ToString());
        Assert.Equal(frame.Stream, parsed.Value.Stream);
        Assert.Equal(frame.CaptureTime, parsed.Value.CaptureTime);
        Assert.Equal(frame.Joints, parsed.Value.Joints);
    }

    [Theory]
    [InlineData("{\"schema\":1,", "not-json")]
    [InlineData("\u00ff\u00fe binary", "not-json")]
    [InlineData("[1,2,3]", "invalid-field")]
    public void Parse_NotJsonOrNotAnObject_Rejected(string payload, string reason) =>
        Assert.Equal(reason, Parse(payload).Rejection?.Code);

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("\"1\"")]
    public void Parse_WrongSchemaVersion_RejectedAsSchemaVersion(string schema)
    {
        var rejection = Parse(SkeletonFrames.Json(schema: schema)).Rejection;
        Assert.Equal("schema-version", rejection?.Code);
        Assert.Contains("version", rejection!.Message);
    }

    [Fact]
    public void Parse_UnknownLayout_NamesTheKnownOnes()
    {
        var rejection = Parse(SkeletonFrames.Json(layout: "\"openpose18\"")).Rejection;
        Assert.Equal("unknown-layout", rejection?.Code);
        Assert.Contains("openpose18", rejection!.Message);
        Assert.Contains("ntu25", rejection.Message);
    }

    [Theory]
    [InlineData("\"kinect20\"", 19)]
    [InlineData("\"kinect20\"", 25)]
    [InlineData("\"ntu25\"", 20)]
    [InlineData("\"coco17\"", 18)]
    public void Parse_WrongJointCountForLayout_RejectedAsJointCount(string layout, int joints)
    {
        var rejection = Parse(SkeletonFrames.Json(layout: layout, joints: joints)).Rejection;
        Assert.Equal("joint-count", rejection?.Code);
        Assert.Contains(joints.ToString(System.Globalization.CultureInfo.InvariantCulture), rejection!.Message);
    }

    [Theory]
    [InlineData("[1e39,0,0,1]")]
    [InlineData("[0,-1e400,0,1]")]
    [InlineData("[0,0,\"NaN\",1]")]
    [InlineData("[0,0,\"Infinity\",1]")]
    [InlineData("[NaN,0,0,1]")]
    [InlineData("[0,Infinity,0,1]")]
    public void Parse_NonFiniteValue_RejectedAsNonFinite(string joint) =>
        Assert.Equal("non-finite", Parse(SkeletonFrames.Json(jointValue: joint)).Rejection?.Code);

    [Fact]
    public void Parse_OverMaxBytes_RejectedAsOversized()
    {
        var payload = Encoding.UTF8.GetBytes(SkeletonFrames.Json());
        var rejection = SkeletonFrameJson.Parse(payload, maxBytes: payload.Length - 1).Rejection;
        Assert.Equal("oversized", rejection?.Code);
        Assert.True(SkeletonFrameJson.Parse(payload, maxBytes: payload.Length).IsValid);
    }

    [Fact]
    public void Parse_MissingFields_EachNamed()
    {
        Assert.Equal("missing-field", Parse(SkeletonFrames.Json(schema: null)).Rejection?.Code);
        foreach (var field in new[] { "stream", "time", "seq", "layout", "joints" })
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(SkeletonFrames.Json())!.AsObject();
            json.Remove(field);
            var rejection = Parse(json.ToJsonString()).Rejection;
            Assert.Equal("missing-field", rejection?.Code);
            Assert.Contains($"'{field}'", rejection!.Message);
        }
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void Parse_BadTime_RejectedAsInvalidField(string time) =>
        Assert.Equal("invalid-field", Parse(SkeletonFrames.Json(time: time)).Rejection?.Code);

    [Fact]
    public async Task Serialize_ValidatesAgainstSchema_AndBadFramesDoNot()
    {
        var schema = await JsonSchema.FromFileAsync(System.IO.Path.Combine(AppContext.BaseDirectory, "schemas", "skeleton-frame.v1.schema.json"));
        foreach (var layout in SkeletonLayout.All)
        {
            var json = Encoding.UTF8.GetString(SkeletonFrameJson.Serialize(SkeletonFrames.Make("cam-1", 3, SkeletonFrames.T0, layout)));
            Assert.Empty(schema.Validate(json));
        }
        Assert.NotEmpty(schema.Validate(SkeletonFrames.Json(joints: 19)));
        Assert.NotEmpty(schema.Validate(SkeletonFrames.Json(schema: "2")));
        Assert.NotEmpty(schema.Validate(SkeletonFrames.Json(layout: "\"openpose18\"")));
    }
}
