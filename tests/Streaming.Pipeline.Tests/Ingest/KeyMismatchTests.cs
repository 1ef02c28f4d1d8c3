using System.Reactive.Subjects;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Pipeline.Tests.Ingest;

/// <summary>Input topics are keyed by stream id: a message keyed otherwise (or not at all) is dead-lettered as key-mismatch.</summary>
public class KeyMismatchTests
{
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();

    [Theory]
    [InlineData("cam-1", null)]
    [InlineData("cam-2", "key-mismatch")]
    [InlineData("", "key-mismatch")]
    public void ParseSkeletons_KeyMustBeTheStreamId(string key, string? reason)
    {
        var input = new Subject<InputMessage>();
        var parsed = new List<SkeletonFrame>();
        input.ParseSkeletons(_telemetry).Subscribe(f => parsed.Add(f.Value));
        input.OnNext(new InputMessage(key, SkeletonFrameJson.Serialize(SkeletonFrames.Make("cam-1", 0, SkeletonFrames.T0)), _acks.NewToken(out var id)));
        Assert.Equal(reason is null ? 1 : 0, parsed.Count);
        if (reason is null) Assert.Empty(_acks.Outcomes(id));
        else Assert.Equal(reason, _acks.ReasonOf(id));
    }

    [Fact]
    public void ParseActionEvents_KeyMustBeTheStreamId()
    {
        var input = new Subject<InputMessage>();
        var parsed = new List<ActionEvent>();
        input.ParseActionEvents(new HashSet<string> { "cut" }, _telemetry).Subscribe(e => parsed.Add(e.Value));
        var json = ActionEventJson.Serialize(new ActionEvent("salad-1", SkeletonFrames.T0, "cut", null));
        input.OnNext(new InputMessage("salad-2", json, _acks.NewToken(out var id)));
        Assert.Empty(parsed);
        Assert.Equal("key-mismatch", _acks.ReasonOf(id));
        Assert.Contains("'salad-2' is not its stream id 'salad-1'", _acks.Single(id).Rejection!.Message, StringComparison.Ordinal);
    }
}
