using System.Text;
using NJsonSchema;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Tests.Contracts;

public class ActionEventJsonTests
{
    static readonly IReadOnlySet<string> Labels = new HashSet<string>(StringComparer.Ordinal) { "cut_tomato", "add_oil" };

    static Parsed<ActionEvent> Parse(string json) => ActionEventJson.Parse(Encoding.UTF8.GetBytes(json), Labels);

    static string Json(string label = "\"cut_tomato\"", string confidence = "0.8", string time = "\"2026-01-01T12:00:00Z\"", string schema = "1") =>
        $"{{\"schema\":{schema},\"stream\":\"salad-1\",\"time\":{time},\"label\":{label},\"confidence\":{confidence}}}";

    [Fact]
    public async Task Serialize_ThenParse_RoundTrips_AndPassesTheSchema()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-event.v1.schema.json"));
        foreach (var e in new[]
        {
            new ActionEvent("salad-1", new DateTimeOffset(2026, 1, 1, 12, 0, 3, TimeSpan.Zero), "add_oil", 0.25),
            new ActionEvent("salad-2", new DateTimeOffset(2026, 1, 1, 12, 0, 4, TimeSpan.FromHours(2)), "cut_tomato", null),
        })
        {
            var bytes = ActionEventJson.Serialize(e);
            Assert.Empty(schema.Validate(Encoding.UTF8.GetString(bytes)));
            var parsed = ActionEventJson.Parse(bytes, Labels);
            Assert.True(parsed.IsValid, parsed.Rejection?.ToString());
            Assert.Equal(e, parsed.Value);
        }
    }

    [Fact]
    public void Parse_NoConfidence_IsNull()
    {
        var parsed = Parse("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\"}");
        Assert.True(parsed.IsValid);
        Assert.Null(parsed.Value.Confidence);
    }

    [Theory]
    [InlineData("{\"schema\":1,\"stream\":", "not-json")]
    [InlineData("plain text", "not-json")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\",\"confidence\":NaN}", "non-finite")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\",\"confidence\":\"NaN\"}", "non-finite")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"juggle\"}", "unknown-label")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"Cut_Tomato\"}", "unknown-label")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\"}", "missing-field")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"label\":\"add_oil\"}", "missing-field")]
    [InlineData("{\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\"}", "missing-field")]
    [InlineData("{\"schema\":2,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\"}", "schema-version")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"yesterday\",\"label\":\"add_oil\"}", "invalid-field")]
    [InlineData("{\"schema\":1,\"stream\":\"\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\"}", "invalid-field")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":7}", "invalid-field")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\",\"confidence\":1.5}", "invalid-field")]
    [InlineData("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\",\"label\":\"add_oil\",\"confidence\":\"high\"}", "invalid-field")]
    [InlineData("[1,2,3]", "invalid-field")]
    public void Parse_BadMessage_RejectedWithItsReason(string json, string reason)
    {
        var parsed = Parse(json);
        Assert.False(parsed.IsValid);
        Assert.Equal(reason, parsed.Rejection.Code);
        Assert.False(string.IsNullOrWhiteSpace(parsed.Rejection.Message));
    }

    [Fact]
    public void Parse_UnknownLabel_NamesTheKnownOnes()
    {
        var rejection = Parse(Json(label: "\"juggle\"")).Rejection;
        Assert.Contains("'juggle'", rejection!.Message);
        Assert.Contains("add_oil, cut_tomato", rejection.Message);
    }

    [Fact]
    public void Parse_Oversized_Rejected()
    {
        var json = Json(label: "\"" + new string('x', ActionEventJson.DefaultMaxBytes) + "\"");
        Assert.Equal("oversized", Parse(json).Rejection?.Code);
    }

    [Fact]
    public async Task Schema_RejectsWhatTheParserRejects()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-event.v1.schema.json"));
        Assert.Empty(schema.Validate(Json()));
        Assert.NotEmpty(schema.Validate(Json(confidence: "1.5")));
        Assert.NotEmpty(schema.Validate(Json(schema: "2")));
        Assert.NotEmpty(schema.Validate(Json(label: "\"\"")));
        Assert.NotEmpty(schema.Validate("{\"schema\":1,\"stream\":\"s\",\"time\":\"2026-01-01T12:00:00Z\"}"));
    }
}
