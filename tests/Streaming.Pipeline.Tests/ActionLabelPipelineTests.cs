using System.Text;
using Streaming.Models.Anticipation;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests;

/// <summary>Action events through parsing, per-stream windows with history, the model stage and a sink, in virtual time, with a tiny ActionLLM.</summary>
public sealed class ActionLabelPipelineTests : IClassFixture<ActionLabelPipelineTests.Model>
{
    public sealed class Model : IDisposable
    {
        readonly string root = Directory.CreateTempSubdirectory("action-label-pipeline-").FullName;

        public Model() => Trained = ActionLlmCheckpoint.Load(TinyActionLlm.Save(Path.Combine(root, "ckpt")));

        public TrainedAnticipator Trained { get; }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }

    static readonly DateTimeOffset T0 = SkeletonFrames.T0;

    sealed class Harness : PipelineHarness
    {
        public Harness(TrainedAnticipator trained, ActionLabelPipelineOptions options) : base(T0.AddMinutes(10), T0)
        {
            var model = new ActionLlmActionModel(new ActionLlmAnticipator(trained, TimeSpan.FromSeconds(40)), "actionllm-tiny");
            Run(Input.PredictFromActions(model, model.Actions.ToHashSet(), options, Clock, ModelClock, Telemetry).SinkTo(Published.Add));
        }

        public int Send(string json, string key = "salad-1")
        {
            Input.OnNext(new InputMessage(key, Encoding.UTF8.GetBytes(json), Acks.NewToken(out var id)));
            return id;
        }

        public int Send(ActionEvent e) => Send(Encoding.UTF8.GetString(ActionEventJson.Serialize(e)), e.Stream);
    }

    static readonly ActionLabelPipelineOptions Options = new()
    {
        Batching = new MicroBatchOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromMilliseconds(50), PerStreamCapacity = 64 },
    };

    readonly Model model;

    public ActionLabelPipelineTests(Model model) => this.model = model;

    static ActionEvent At(double seconds, string label, string stream = "salad-1", double? confidence = null) => new(stream, T0.AddSeconds(seconds), label, confidence);

    [Fact]
    public void EachBadInputKind_DeadLetteredWithItsReason_GoodOnesContribute()
    {
        using var h = new Harness(model.Trained, Options);
        var good = new List<int> { h.Send(At(0, "cut_tomato", confidence: 0.9)), h.Send(At(8, "place_tomato_into_bowl")) };
        var expected = new Dictionary<int, string>
        {
            [h.Send("{\"schema\":1,\"stream\":")] = "not-json",
            [h.Send("{\"schema\":1,\"stream\":\"salad-1\",\"time\":\"2026-01-01T12:00:09Z\",\"label\":\"add_oil\",\"confidence\":NaN}")] = "non-finite",
            [h.Send(At(9, "juggle"))] = "unknown-label",
            [h.Send("{\"schema\":1,\"stream\":\"salad-1\",\"time\":\"2026-01-01T12:00:09Z\"}")] = "missing-field",
            [h.Send(At(8, "add_oil"))] = "duplicate",
            [h.Send(At(3, "add_oil"))] = "late",
            [h.Send(At(3600, "add_oil"))] = "future-timestamp",
        };
        good.Add(h.Send(At(12, "add_oil")));
        h.Drain();
        Assert.All(expected, kv => Assert.Equal(kv.Value, h.Acks.ReasonOf(kv.Key)));
        Assert.All(good, id => Assert.True(h.Acks.Single(id).Contributed));
        Assert.Equal([0L, 1, 2], h.Published.Select(p => p.WindowId));
    }

    [Fact]
    public void Predictions_CarryTheHistory_TheCurrentAction_AndAFutureAfterIt()
    {
        using var h = new Harness(model.Trained, Options);
        h.Send(At(0, "cut_tomato", confidence: 0.8));
        h.Send(At(4, "cut_tomato", confidence: 0.6));
        h.Send(At(9, "place_tomato_into_bowl", confidence: 0.9));
        h.Send(At(12, "add_oil"));
        h.Send(At(3, "cut_tomato", stream: "salad-2"));
        h.Drain();

        var last = h.Published.Where(p => p.Stream == "salad-1").MaxBy(p => p.WindowId)!;
        Assert.Equal(3, last.WindowId);
        Assert.Equal((T0.AddSeconds(12), T0.AddSeconds(12)), (last.WindowStart, last.WindowEnd));
        Assert.Equal(new LabelProbability("add_oil", 1), Assert.Single(last.Recognized.TopK));
        Assert.Equal(
            [new ActionSegment("cut_tomato", T0, T0.AddSeconds(9), 0.7), new ActionSegment("place_tomato_into_bowl", T0.AddSeconds(9), T0.AddSeconds(12), 0.9),
             new ActionSegment("add_oil", T0.AddSeconds(12), T0.AddSeconds(12), 1)],
            last.Past.Select(s => s with { Probability = Math.Round(s.Probability, 6) }));
        Assert.NotEmpty(last.Future);
        Assert.Equal(T0.AddSeconds(12), last.Future[0].Start);
        Assert.Equal("add_oil", last.Future[0].Label);
        // Streams have their own histories: salad-2's first window sees only its own event.
        var other = Assert.Single(h.Published, p => p.Stream == "salad-2");
        Assert.Equal(["cut_tomato"], other.Past.Select(s => s.Label));
    }

    [Fact]
    public void EventsPerWindow_GroupsEvents_AndTheUnfilledWindowsEventsAreIncomplete()
    {
        using var h = new Harness(model.Trained, Options with { Window = new ActionWindowOptions { EventsPerWindow = 2 } });
        var ids = Enumerable.Range(0, 5).Select(i => h.Send(At(i * 5, TinyActionLlm.Actions[i % 4]))).ToList();
        h.Drain();
        Assert.Equal(2, h.Published.Count);
        Assert.Equal((T0, T0.AddSeconds(5)), (h.Published[0].WindowStart, h.Published[0].WindowEnd));
        Assert.All(ids.Take(4), id => Assert.True(h.Acks.Single(id).Contributed));
        Assert.Equal("incomplete-window", h.Acks.ReasonOf(ids[4]));
    }
}
