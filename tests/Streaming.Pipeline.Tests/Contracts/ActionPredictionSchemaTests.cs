using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Pipeline.Tests.Contracts;

public class ActionPredictionSchemaTests
{
    static Task<JsonSchema> Schema() =>
        JsonSchema.FromFileAsync(System.IO.Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));

    static ActionPrediction Sample()
    {
        var t = SkeletonFrames.T0;
        return new ActionPrediction("cam-1", 4, t, t.AddSeconds(1),
            new RecognizedAction("wave", 0.7, [new("wave", 0.7), new("clap", 0.2)]),
            [new ActionSegment("walk", t.AddSeconds(-3), t, 0.9)],
            [new ActionSegment("sit", t.AddSeconds(1), t.AddSeconds(4), 0.4)],
            "llm-ar-tiny", 12.5);
    }

    [Fact]
    public async Task Serialize_ValidOutput_PassesSchemaWithVersion1()
    {
        var json = Encoding.UTF8.GetString(ActionPredictionJson.Serialize(Sample()));
        Assert.Empty((await Schema()).Validate(json));
        Assert.Equal(1, JsonNode.Parse(json)!["schema"]!.GetValue<int>());
        Assert.Equal(Sample().Recognized.TopK, ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(json)).Recognized.TopK);
    }

    static ActionPrediction WithLastFrame()
    {
        var keypoints = Enumerable.Range(0, 17).Select(j => new[] { 10f * j, 5f * j, 0.9f }).ToArray();
        return Sample() with { LastFrame = new FrameKeypoints(41, SkeletonFrames.T0.AddSeconds(1), 640, 480, "coco17", keypoints) };
    }

    [Fact]
    public async Task Serialize_SkeletonInput_HasNoLastFrame_FrameInput_HasItAndPassesSchema()
    {
        Assert.Null(JsonNode.Parse(ActionPredictionJson.Serialize(Sample()))!["lastFrame"]);
        var json = Encoding.UTF8.GetString(ActionPredictionJson.Serialize(WithLastFrame()));
        Assert.Empty((await Schema()).Validate(json));
        var lastFrame = ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(json)).LastFrame!;
        Assert.Equal((41L, 640, 480, "coco17"), (lastFrame.Sequence, lastFrame.Width, lastFrame.Height, lastFrame.Layout));
        Assert.Equal([160f, 80f, 0.9f], lastFrame.Keypoints[16]);
    }

    [Theory]
    [InlineData("keypoints", "[[1,2,0.5]]")]
    [InlineData("keypoints", "null")]
    [InlineData("layout", "\"ntu25\"")]
    [InlineData("width", "0")]
    public async Task Validate_WrongLastFrame_Fails(string field, string value)
    {
        var json = JsonNode.Parse(ActionPredictionJson.Serialize(WithLastFrame()))!.AsObject();
        json["lastFrame"]![field] = JsonNode.Parse(value);
        Assert.NotEmpty((await Schema()).Validate(json.ToJsonString()));
    }

    [Theory]
    [InlineData("schema", "2")]
    [InlineData("latencyMs", "-1")]
    [InlineData("windowStart", "\"not a time\"")]
    [InlineData("recognized", "{\"label\":\"wave\",\"probability\":1.5,\"topK\":[]}")]
    [InlineData("extra", "true")]
    public async Task Validate_WrongOutput_Fails(string field, string value)
    {
        var json = JsonNode.Parse(ActionPredictionJson.Serialize(Sample()))!.AsObject();
        json[field] = JsonNode.Parse(value);
        Assert.NotEmpty((await Schema()).Validate(json.ToJsonString()));
    }

    [Fact]
    public async Task Validate_MissingModelId_Fails()
    {
        var json = JsonNode.Parse(ActionPredictionJson.Serialize(Sample()))!.AsObject();
        json.Remove("modelId");
        Assert.NotEmpty((await Schema()).Validate(json.ToJsonString()));
    }
}
